"""HTTP emulator of the China Electronics Cloud IMS API (test support code)."""
