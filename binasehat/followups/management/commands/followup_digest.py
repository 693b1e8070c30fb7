"""Weekly digest (for cron): each owner of open action items gets one e-mail with their open and overdue items.
Sent through Django's mail settings (the console backend unless configured)."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from binasehat.followups.selectors import digest


def digest_text(items, today) -> str:
    overdue = [i for i in items if i.due < today]
    lines = [f"Tindak lanjut Anda yang belum selesai per {today:%Y-%m-%d}: {len(items)} "
             f"(terlambat: {len(overdue)}).", ""]
    for i in items:
        late = " — TERLAMBAT" if i.due < today else ""
        lines.append(f"- [{i.get_status_display()}] {i.decision} ({i.institution.name}, {i.region.name}); "
                     f"tenggat {i.due:%Y-%m-%d}{late}")
    lines += ["", "Perbarui status dan bukti di Bina Sehat: /tindak-lanjut/"]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "E-mail each owner a digest of their open and overdue action items."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the digests instead of sending them")

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        sent = 0
        with translation.override(settings.LANGUAGE_CODE):
            for email, items in sorted(digest(today).items()):
                subject = f"[Bina Sehat] {len(items)} tindak lanjut belum selesai"
                body = digest_text(items, today)
                if dry_run:
                    self.stdout.write(f"To: {email}\nSubject: {subject}\n\n{body}\n")
                else:
                    send_mail(subject, body, None, [email])
                sent += 1
        self.stdout.write(f"{sent} ringkasan {'ditampilkan' if dry_run else 'dikirim'}.")
