"""The notifier: mails an enterprise, in Dutch, when its listing starts, changes or ends."""
