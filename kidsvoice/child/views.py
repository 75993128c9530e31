"""The child journey (issue 3)."""
