"""Clinical decision support: pure functions from a case to findings; no I/O."""
