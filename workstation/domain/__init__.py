"""Plain dataclasses and rules shared by every part of Workstation. No Qt, no I/O."""
