"""The notifier: mails an enterprise, in Dutch, when its listing starts, changes or ends, when
a label it needs is due for recertification, when an operator hid part of what it added
itself, and the sign-in links that let it complete its listing."""
