"""Hand-built contract rows taken from the documents, shared by the compare and report tests."""
