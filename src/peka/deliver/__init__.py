"""Delivering results: files (atomic, by suffix), terminal tables and reports."""

from peka.deliver.files import atomic_path, write_bytes, write_table, write_text

__all__ = ["atomic_path", "write_bytes", "write_table", "write_text"]
