"""The side panel beside the open conversation (issue 8): orders, coupons, quick replies,
buyer notes and tags, product recommendations, and the rating invitation."""

from workstation.ui.side_panel.panel import SidePanel

__all__ = ["SidePanel"]
