"""Administration of staff accounts and agencies (the ``admin`` role and the CLI): above
accounts and regions, since an admin acts within its own region."""
