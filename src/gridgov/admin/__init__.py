"""Admin screens and their audited changes: users (and their tokens), the responsibility-rule tester."""
