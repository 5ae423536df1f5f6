"""メール送信状況: the cycle's mails as core.mail recorded them, for 情報推進課 to resend."""
