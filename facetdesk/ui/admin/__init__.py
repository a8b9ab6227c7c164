"""Administration dialogs: users, clinic settings, presets, the audit trail, the outcomes export."""
