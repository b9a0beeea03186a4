"""The page behind the link in an enterprise's non-essential mails: stop them, or receive
them again; and the RFC 8058 one-click unsubscribe that mail programs POST to it."""
