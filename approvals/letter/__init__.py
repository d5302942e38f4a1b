"""Approval letters on the web: download, reissue, revoke, and the panel application pages include."""
