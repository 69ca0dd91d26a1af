"""What the side panel does for a conversation, without Qt: orders, coupons, ratings, notes, products.

`ConversationCommerce` (session.py) is the one object the UI holds per open
conversation; the other modules are its parts and can be used on their own.
"""
