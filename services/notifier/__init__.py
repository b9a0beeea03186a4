"""The notifier: mails an enterprise, in Dutch, when its listing starts, changes or ends, and
when a label it needs is due for recertification."""
