"""Reference data (administrative divisions) loaded from maintained packages."""
