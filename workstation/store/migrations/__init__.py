"""Numbered schema migrations. Each `mNNNN_name.py` defines VERSION and apply(db); never edit a shipped one."""
