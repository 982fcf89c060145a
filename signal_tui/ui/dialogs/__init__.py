"""Small modal dialogs shared by every screen (confirm, prompt)."""
