"""Administration screens: groups, devices, account setup, profile, contacts, safety numbers."""
