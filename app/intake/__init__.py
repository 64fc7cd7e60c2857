"""One-click help (一键求助): applications, attachments and their life cycle."""
