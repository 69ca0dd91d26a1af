"""Platform connectors behind one small protocol, and the platform emulator. No Qt."""
