"""Cryptography for signatures: physicians' key pairs, the clinic's certificate authority, signed PDFs."""
