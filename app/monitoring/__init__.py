"""Dynamic monitoring (动态监测): imports of other agencies' data and the signals they become."""
