#!/usr/bin/env python3
"""Generate postern's demo sample messages: python3.12 generate.py samples/demo (LF-only output)."""
import base64, datetime, io, os, quopri, sys, textwrap, zipfile, zlib, struct

OUT = sys.argv[1]
ALL = []


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))


def qp(text, charset="utf-8"):
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def ew_b(text, charset="UTF-8"):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset.lower())).decode())


def ew_q(text, charset="UTF-8"):
    raw = text.encode(charset.lower())
    out = ""
    for byte in raw:
        c = chr(byte)
        if c == " ":
            out += "_"
        elif c.isalnum() and byte < 128:
            out += c
        else:
            out += "=%02X" % byte
    return "=?%s?Q?%s?=" % (charset, out)


def date(y, mo, d, h, mi, tz="+0100"):
    dt = datetime.datetime(y, mo, d, h, mi, 7)
    return dt.strftime("%a, %d %b %Y %H:%M:%S ") + tz


def write(account, folder, name, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    content = content.replace(b"\r\n", b"\n")
    if not content.endswith(b"\n"):
        content += b"\n"
    path = os.path.join(OUT, account, folder, name + ".eml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)
    ALL.append(path)


def ms_headers(thread_topic, index):
    return (
        "Thread-Topic: %s\n"
        "Thread-Index: AQHZ%sq3vN0QW5pT0CkmLxY4gU3rQ==\n"
        "Content-Language: en-US\n"
        "X-MS-Exchange-Organization-AuthAs: Internal\n"
        "X-MS-Exchange-Organization-SCL: -1\n"
        "X-MS-Has-Attach: \n"
        "X-MS-TNEF-Correlator: \n" % (thread_topic, index)
    )


def msgid(tag):
    return "<%s@AM9PR07MB7123.eurprd07.prod.outlook.com>" % tag


# ---------------------------------------------------------------- tiny real files

def make_pdf(lines):
    objs = []
    stream = "BT /F1 12 Tf 72 720 Td 16 TL\n" + "".join(
        "(%s) Tj T*\n" % l.replace("(", "\\(").replace(")", "\\)") for l in lines) + "ET"
    objs.append("<< /Type /Catalog /Pages 2 0 R >>")
    objs.append("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
    objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += ("%d 0 obj\n%s\nendobj\n" % (i, o)).encode()
    xref = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode()
    for off in offsets:
        out += ("%010d 00000 n \n" % off).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)).encode()
    return out


def make_xlsx(rows):
    def cell(ref, v):
        if isinstance(v, (int, float)):
            return '<c r="%s"><v>%s</v></c>' % (ref, v)
        return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, v)
    sheet_rows = []
    for r, row in enumerate(rows, 1):
        cells = "".join(cell("%s%d" % (chr(65 + c), r), v) for c, v in enumerate(row))
        sheet_rows.append('<row r="%d">%s</row>' % (r, cells))
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q4" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % "".join(sheet_rows),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 12, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def make_png(w, h, pixel):
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


ADA_W = "Ada Lindqvist <ada@contoso.com>"
ADA_P = "Ada Lindqvist <ada@outlook.com>"
PRIYA = "Priya Raman <priya.raman@contoso.com>"
TOMAS = '"Ferreira, Tomás" <tomas.ferreira@contoso.com>'
TOMAS_ENC = "%s <tomas.ferreira@contoso.com>" % ew_q("Ferreira, Tomás")
JONAS = "Jonas Becker <jonas.becker@contoso.com>"
MEI = "Mei Chen <mei.chen@contoso.com>"
GRACE = "Grace Okafor <grace.okafor@contoso.com>"

# ====================================================================== work/INBOX

write("work", "INBOX", "01-weekly-sync-invite", f"""Received: from AM9PR07MB7123.eurprd07.prod.outlook.com (2603:10a6:20b:3c1::9)
 by AM9PR07MB7456.eurprd07.prod.outlook.com with HTTPS; Mon, 2 Nov 2026
 08:12:44 +0000
From: {GRACE}
To: {ADA_W}, {PRIYA}, {JONAS}
Subject: Platform team weekly sync
Date: {date(2026, 11, 2, 9, 12)}
Message-ID: {msgid("GR1WEEKLY0001")}
{ms_headers("Platform team weekly sync", "Wk1")}MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_004_mixed_weekly"

--_004_mixed_weekly
Content-Type: multipart/alternative; boundary="_000_alt_weekly"

--_000_alt_weekly
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp('''Hi all,

Moving our weekly sync to Tuesdays from next week so it no longer clashes
with the release train review. Same Teams link, same agenda doc.

Agenda:
  1. Incident follow-ups (10 min)
  2. Q4 roadmap - open questions (20 min)
  3. On-call handover (5 min)

________________________________________________________________________________
Microsoft Teams meeting
Join on your computer, mobile app or room device
Click here to join the meeting <https://teams.microsoft.com/l/meetup-join/19%3ameeting_demo%40thread.v2/0>
Meeting ID: 318 442 905 117
Passcode: 7hQx2p
________________________________________________________________________________
''')}
--_000_alt_weekly
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp('''<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body><div style="font-family:Aptos,sans-serif;font-size:11pt">
<p>Hi all,</p>
<p>Moving our weekly sync to <b>Tuesdays</b> from next week so it no longer clashes with the release train review. Same Teams link, same agenda doc.</p>
<ol><li>Incident follow-ups (10 min)</li><li>Q4 roadmap &ndash; open questions (20 min)</li><li>On-call handover (5 min)</li></ol>
<hr><p><b>Microsoft Teams meeting</b><br><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_demo%40thread.v2/0">Click here to join the meeting</a><br>Meeting ID: 318 442 905 117<br>Passcode: 7hQx2p</p>
</div></body></html>
''')}
--_000_alt_weekly--

--_004_mixed_weekly
Content-Type: text/calendar; charset="utf-8"; method=REQUEST; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: 7bit

BEGIN:VCALENDAR
METHOD:REQUEST
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VEVENT
ORGANIZER;CN=Grace Okafor:mailto:grace.okafor@contoso.com
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Ada Lindqvist:mailto:ada@contoso.com
SUMMARY;LANGUAGE=en-US:Platform team weekly sync
DTSTART;TZID=W. Europe Standard Time:20261110T100000
DTEND;TZID=W. Europe Standard Time:20261110T103000
RRULE:FREQ=WEEKLY;BYDAY=TU
UID:040000008200E00074C5B7101A82E00800000000D0A1B2C3
LOCATION;LANGUAGE=en-US:Microsoft Teams Meeting
END:VEVENT
END:VCALENDAR

--_004_mixed_weekly--
""")

ROADMAP_ID = msgid("PR1ROADMAP0001")
ROADMAP_R1 = msgid("TF2ROADMAP0002")
ROADMAP_R2 = msgid("AL3ROADMAP0003")
ROADMAP_R3 = msgid("JB4ROADMAP0004")

write("work", "INBOX", "02-q4-roadmap", f"""From: {PRIYA}
To: {ADA_W}, {TOMAS}, {JONAS}
Subject: Q4 roadmap draft - feedback by Friday please
Date: {date(2026, 11, 3, 16, 41)}
Message-ID: {ROADMAP_ID}
{ms_headers("Q4 roadmap draft - feedback by Friday please", "Rd1")}MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

Hi team,

I've put the Q4 roadmap draft on the wiki. The three big items are:

- moving the billing service off the old queue (needs Jonas's team)
- the new login flow for the customer portal
- retiring the v1 reporting API (announced in July, usage is now < 2%)

Could you each leave comments by Friday? I'd especially like a sanity check
on the estimates for the queue migration; I think eight weeks is optimistic.

Thanks,
Priya
""")

write("work", "INBOX", "03-re-q4-roadmap", f"""From: {TOMAS_ENC}
To: {PRIYA}
Cc: {ADA_W}, {JONAS}
Subject: RE: Q4 roadmap draft - feedback by Friday please
Date: {date(2026, 11, 4, 10, 5)}
Message-ID: {ROADMAP_R1}
In-Reply-To: {ROADMAP_ID}
References: {ROADMAP_ID}
{ms_headers("Q4 roadmap draft - feedback by Friday please", "Rd2")}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp('''Agree that eight weeks is tight. The consumer rewrite alone took us five
last time, and that was without the dual-write period.

I'd put the portal login first: it unblocks the security review.

Tomás

-----Original Message-----
From: Priya Raman <priya.raman@contoso.com>
Sent: Tuesday, November 3, 2026 4:41 PM
To: Ada Lindqvist <ada@contoso.com>; Ferreira, Tomás <tomas.ferreira@contoso.com>; Jonas Becker <jonas.becker@contoso.com>
Subject: Q4 roadmap draft - feedback by Friday please

Hi team,

I've put the Q4 roadmap draft on the wiki. The three big items are:
''')}""")

write("work", "INBOX", "04-re-q4-roadmap", f"""From: {JONAS}
To: {PRIYA}
Cc: {ADA_W}, {TOMAS}
Subject: Re: Q4 roadmap draft - feedback by Friday please
Date: {date(2026, 11, 5, 8, 47)}
Message-ID: {ROADMAP_R3}
In-Reply-To: {ROADMAP_R2}
References: {ROADMAP_ID}
 {ROADMAP_R1}
 {ROADMAP_R2}
{ms_headers("Q4 roadmap draft - feedback by Friday please", "Rd4")}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"; format=flowed
Content-Transfer-Encoding: 7bit

Ada's split works for us. We can start the dual-write in week 2 if the 
schema review happens this month.

One caveat: two of us are out over the holidays, so the last three weeks 
are really two.

Jonas

> On 4 Nov 2026, at 14:22, Ada Lindqvist <ada@contoso.com> wrote:
>
> What if we split the queue migration in two: dual-write and consumers 
> this quarter, cut-over in January? That keeps the portal login first 
> and takes the pressure off.
""")

write("work", "INBOX", "05-engineering-weekly", f"""From: Contoso Engineering Weekly <newsletter@engineering.contoso.com>
To: {ADA_W}
Subject: Engineering Weekly #142: Rust at Contoso, flaky tests, and a new CI fleet
Date: {date(2026, 11, 6, 7, 0, "+0000")}
Message-ID: <ew142.20261106070000.1f3a@engineering.contoso.com>
List-Id: Contoso Engineering Weekly <weekly.engineering.contoso.com>
List-Unsubscribe: <https://engineering.contoso.com/unsubscribe?u=ada>, <mailto:unsubscribe@engineering.contoso.com?subject=unsubscribe>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Precedence: bulk
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp('''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Engineering Weekly #142</title>
<style>body{font-family:Segoe UI,sans-serif} .muted{color:#666}</style></head>
<body>
<h1>Engineering Weekly #142</h1>
<p class="muted">6 November 2026 &middot; 4 min read</p>
<h2>Rust at Contoso: one year in</h2>
<p>The payments team shipped its first Rust service a year ago. Latency at p99 dropped by 38%, and the on-call rotation has had <em>zero</em> pages from it since March. <a href="https://engineering.contoso.com/blog/rust-one-year">Read the full write-up</a>.</p>
<h2>Flaky tests: the leaderboard</h2>
<p>We now track flaky tests per repository. This week&rsquo;s top three:</p>
<ul>
<li><code>billing/tests/test_invoice_rounding.py</code> &mdash; 14 retries</li>
<li><code>portal/e2e/login.spec.ts</code> &mdash; 9 retries</li>
<li><code>search/indexer_test.go</code> &mdash; 6 retries</li>
</ul>
<p>See the <a href="https://dash.contoso.com/flaky">flaky test dashboard</a> for details.</p>
<h2>New CI fleet</h2>
<p>Builds moved to the new ARM runners on Monday. If your pipeline pins <code>ubuntu-22.04-x64</code>, please update it before 30 November.</p>
<blockquote>&ldquo;Our median build went from 11 minutes to 6.&rdquo; &mdash; Mei Chen, Search</blockquote>
<p><img src="https://engineering.contoso.com/img/ci-chart.png" alt="CI build times, October vs November"></p>
<hr>
<p class="muted">You are receiving this because you are in the Engineering org. <a href="https://engineering.contoso.com/unsubscribe?u=ada">Unsubscribe</a></p>
</body></html>
''')}""")

write("work", "INBOX", "06-pipeline-failed", f"""From: Azure DevOps <azuredevops@microsoft.com>
To: {ADA_W}
Subject: [Build failed] billing-service - main - 20261109.4
Date: {date(2026, 11, 9, 13, 27, "+0000")}
Message-ID: <c0ffee42-9b1d-4a77-8f0e-20261109134@dev.azure.com>
X-VSS-Event-Type: ms.vss-build.build-completed-event
Auto-Submitted: auto-generated
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="----=_NextPart_ado_4411"

------=_NextPart_ado_4411
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Build 20261109.4 failed

Pipeline:  billing-service
Branch:    main
Commit:    9f3c2e1 "Round invoice totals half-even"
Requested: Jonas Becker
Duration:  6m 12s

Failed job: test (ubuntu-arm64)
  test_invoice_rounding.py::test_half_even_large_amounts FAILED
  AssertionError: Decimal('100.125') rounded to Decimal('100.13'), expected Decimal('100.12')

View results: https://dev.azure.com/contoso/billing/_build/results?buildId=88412

------=_NextPart_ado_4411
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<html><body style="font-family:Segoe UI">
<table width="100%" style="background:#c4314b;color:white"><tr><td><b>Build 20261109.4 failed</b></td></tr></table>
<table>
<tr><td>Pipeline</td><td>billing-service</td></tr>
<tr><td>Branch</td><td>main</td></tr>
<tr><td>Commit</td><td>9f3c2e1 Round invoice totals half-even</td></tr>
</table>
<p><a href="https://dev.azure.com/contoso/billing/_build/results?buildId=88412">View results</a></p>
</body></html>

------=_NextPart_ado_4411--
""")

pdf = make_pdf(["Contoso Ltd - Invoice INV-2026-1187", "Northwind Cloud Services, 1 Harbour Way",
                "Period: October 2026", "Compute (reserved)      12,400.00 EUR",
                "Storage                  1,930.50 EUR", "Support (premium)        2,000.00 EUR",
                "Total                   16,330.50 EUR", "Due: 30 November 2026"])
xlsx = make_xlsx([["Cost centre", "October", "Budget", "Delta"],
                  ["Compute", 12400, 12000, -400], ["Storage", 1930.5, 2200, 269.5],
                  ["Support", 2000, 2000, 0], ["Total", 16330.5, 16200, -130.5]])
write("work", "INBOX", "07-invoice-attachments", f"""From: Northwind Cloud Billing <billing@northwind-cloud.example>
To: {ADA_W}
Subject: Invoice INV-2026-1187 for October 2026
Date: {date(2026, 11, 10, 6, 30, "+0000")}
Message-ID: <inv-2026-1187.4b1e@northwind-cloud.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_inv_1187"

This is a multi-part message in MIME format.

--=_inv_1187
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Dear Ada Lindqvist,

Please find attached invoice INV-2026-1187 for October 2026 (16,330.50 EUR,
due 30 November 2026) and the cost breakdown per cost centre.

Kind regards,
Northwind Cloud Billing

--=_inv_1187
Content-Type: application/pdf; name="INV-2026-1187.pdf"
Content-Disposition: attachment; filename="INV-2026-1187.pdf"; size={len(pdf)}
Content-Transfer-Encoding: base64

{b64(pdf)}
--=_inv_1187
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;
 name="cost-breakdown-2026-10.xlsx"
Content-Disposition: attachment;
 filename="cost-breakdown-2026-10.xlsx"
Content-Transfer-Encoding: base64

{b64(xlsx)}
--=_inv_1187--
""")

# A long message: an incident postmortem, a few hundred lines.
timeline = []
events = [
    "alert: billing-api p99 latency above 2s (threshold 800ms)",
    "on-call (Jonas) acknowledges the page",
    "dashboards show queue depth on invoices-out climbing steadily",
    "consumer pods restarting: OOMKilled, 3 of 12",
    "rollback of 9f3c2e1 started",
    "rollback complete; queue depth still rising",
    "Mei notices the new ARM runners built an image without the jemalloc flag",
    "hotfix image built with MALLOC_CONF restored",
    "hotfix deployed to canary (1 pod)",
    "canary stable for 10 minutes, memory flat at 410 MiB",
    "hotfix rolled out to all consumer pods",
    "queue depth starts to fall",
    "customer-facing errors stop; status page updated",
    "queue fully drained",
    "incident closed; follow-up actions recorded",
]
minute = 0
for i in range(90):
    ev = events[i % len(events)] if i % 6 == 0 else [
        "queue depth %d messages, consumer lag %ds" % (4000 + i * 137, 30 + i * 3),
        "error rate on POST /invoices %.1f%%" % (0.4 + (i % 9) * 0.7),
        "memory per consumer pod %d MiB (limit 1024 MiB)" % (600 + (i * 37) % 420),
        "no change; still investigating",
        "checked upstream dependencies: payments-gateway healthy",
    ][i % 5]
    h, m = divmod(13 * 60 + 20 + minute, 60)
    timeline.append("  %02d:%02d  %s" % (h, m, ev))
    minute += 2
log = []
for i in range(120):
    h, m = divmod(13 * 60 + 20 + i, 60)
    level = "ERROR" if i % 7 == 3 else "WARN " if i % 5 == 0 else "INFO "
    log.append("2026-11-09T%02d:%02d:%02dZ %s consumer-%d invoices-out offset=%d lag=%dms" %
               (h, m, (i * 17) % 60, level, i % 12, 1884200 + i * 311, 200 + (i * 97) % 3000))
long_body = "\n".join([
    "Hi all,",
    "",
    "Here is the postmortem for Monday's billing incident (INC-20261109-02).",
    "It is long; the summary and the action items are at the top.",
    "",
    "SUMMARY",
    "=======",
    "",
    textwrap.fill(
        "Between 13:20 and 16:18 UTC on 9 November, invoice generation was delayed "
        "for about 2,300 customers. The billing consumers ran out of memory after "
        "the CI fleet moved to ARM runners: the new base image was built without the "
        "jemalloc configuration the consumers rely on. No invoices were lost; all were "
        "sent by 17:05 UTC.", 72),
    "",
    "ACTION ITEMS",
    "============",
    "",
    "  1. Pin MALLOC_CONF in the service Dockerfile, not the base image (Jonas, 13 Nov)",
    "  2. Alert on consumer restarts, not only on latency (Mei, 16 Nov)",
    "  3. Add a memory soak test to the release pipeline (Ada, 20 Nov)",
    "  4. Document the ARM runner differences on the wiki (Grace, 20 Nov)",
    "",
    "TIMELINE (UTC)",
    "==============",
    "",
] + timeline + [
    "",
    "CONSUMER LOG EXCERPT",
    "====================",
    "",
] + log + [
    "",
    "WHAT WENT WELL",
    "==============",
    "",
    "- The page fired within two minutes of the first OOM kill.",
    "- Rolling back was fast, even though it turned out not to be the fix.",
    "- The dual-write design meant nothing was lost.",
    "",
    "WHAT WENT BADLY",
    "===============",
    "",
    "- We rolled back the most recent commit by reflex and lost 25 minutes.",
    "- The memory dashboards were not linked from the runbook.",
    "",
    "Thanks everyone for the calm handling.",
    "",
    "Ada",
])
write("work", "INBOX", "08-incident-postmortem", f"""From: {ADA_W}
To: Platform Team <platform-team@contoso.com>
Subject: Postmortem: billing consumers OOM after CI runner change (INC-20261109-02)
Date: {date(2026, 11, 11, 17, 2)}
Message-ID: {msgid("AL8POSTMORTEM08")}
{ms_headers("Postmortem: billing consumers OOM after CI runner change (INC-20261109-02)", "Pm8")}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{long_body}
""")

protokoll = """Protokoll: Überprüfung Q3-Budget
Datum: 12.11.2026
Teilnehmer: Ada Lindqvist, Jonas Becker, Grace Okafor

1. Cloud-Kosten liegen 3 % über Plan (Speicher).
2. Schulungsbudget für Q4 freigegeben: 4.500 €.
3. Nächste Überprüfung: 10.12.2026.
"""
write("work", "INBOX", "09-rfc2231-attachment-name", f"""From: {JONAS}
To: {ADA_W}
Subject: Protokoll der Budgetrunde
Date: {date(2026, 11, 12, 15, 18)}
Message-ID: {msgid("JB9PROTOKOLL09")}
{ms_headers("Protokoll der Budgetrunde", "Pk9")}MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_002_protokoll_"

--_002_protokoll_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp("Hallo Ada,\n\nanbei das Protokoll von heute. Bitte kurz gegenlesen, dann schicke ich es\nan die Runde.\n\nGrüße\nJonas\n", "iso-8859-1")}
--_002_protokoll_
Content-Type: text/plain; charset="utf-8";
 name*=utf-8''Protokoll%20%C3%9Cberpr%C3%BCfung%20Q3.txt
Content-Disposition: attachment;
 filename*0*=utf-8''Protokoll%20%C3%9Cberpr%C3%BC;
 filename*1*=fung%20Q3%E2%80%93Budget%20%282026%29.txt
Content-Transfer-Encoding: base64

{b64(protokoll.encode())}
--_002_protokoll_--
""")

write("work", "INBOX", "10-teams-missed-messages", f"""From: Microsoft Teams <noreply@email.teams.microsoft.com>
To: {ADA_W}
Subject: You have 3 missed messages in Platform team
Date: {date(2026, 11, 13, 11, 44, "+0000")}
Message-ID: <teams.missed.7d2f0a@email.teams.microsoft.com>
Auto-Submitted: auto-generated
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="teams_b0undary"

--teams_b0undary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp('''Your teammates are trying to reach you in Microsoft Teams

Mei Chen in Platform team > General
"Is the soak test PR ready for review? I can take it this afternoon."

Grace Okafor in Platform team > General
"The wiki page for ARM runners is up, links welcome."

Jonas Becker (chat)
"Dockerfile change merged \U0001F44D"

Go to Microsoft Teams: https://teams.microsoft.com/
''')}
--teams_b0undary
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp('''<html><body><h2>Your teammates are trying to reach you</h2>
<p><b>Mei Chen</b> in Platform team &gt; General<br>Is the soak test PR ready for review? I can take it this afternoon.</p>
<p><b>Grace Okafor</b> in Platform team &gt; General<br>The wiki page for ARM runners is up, links welcome.</p>
<p><b>Jonas Becker</b> (chat)<br>Dockerfile change merged &#128077;</p>
<p><a href="https://teams.microsoft.com/">Go to Microsoft Teams</a></p></body></html>
''')}
--teams_b0undary--
""")

write("work", "INBOX", "11-out-of-office", f"""From: {MEI}
To: {ADA_W}
Subject: Automatic reply: Soak test PR
Date: {date(2026, 11, 16, 9, 1)}
Message-ID: {msgid("MC11OOF0011")}
In-Reply-To: {msgid("AL2SOAKPR0002")}
References: {msgid("AL2SOAKPR0002")}
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: mei.chen@contoso.com
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

I'm out of the office until Wednesday 18 November with limited access to
email. For urgent search issues please contact search-oncall@contoso.com.

Mei
""")

logo = make_png(16, 16, lambda x, y: (0, 120 + 8 * x, 212) if (x + y) % 5 else (255, 255, 255))
write("work", "INBOX", "12-html-inline-logo", f"""From: Contoso IT <it-service@contoso.com>
To: {ADA_W}
Subject: Your new laptop is ready for pick-up
Date: {date(2026, 11, 17, 10, 20)}
Message-ID: <ritm0049921.notify@contoso.service-now.example>
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel_boundary_it"; type="multipart/alternative"

--rel_boundary_it
Content-Type: multipart/alternative; boundary="alt_boundary_it"

--alt_boundary_it
Content-Type: text/plain; charset=utf-8

Hello Ada,

Your request RITM0049921 (Surface Laptop 7, 32 GB) is ready. Pick it up at
the IT desk, building B, 2nd floor, between 9:00 and 16:00. Bring your old
device and its charger.

Contoso IT

--alt_boundary_it
Content-Type: text/html; charset=utf-8

<html><body><p><img src="cid:logo@contoso" alt="Contoso IT" width="16" height="16"></p>
<p>Hello Ada,</p><p>Your request <b>RITM0049921</b> (Surface Laptop 7, 32 GB) is ready.
Pick it up at the IT desk, building B, 2nd floor, between 9:00 and 16:00.
Bring your old device and its charger.</p><p>Contoso IT</p></body></html>

--alt_boundary_it--

--rel_boundary_it
Content-Type: image/png; name="contoso-it.png"
Content-ID: <logo@contoso>
Content-Disposition: inline; filename="contoso-it.png"
Content-Transfer-Encoding: base64

{b64(logo)}
--rel_boundary_it--
""")

write("work", "INBOX", "13-cc-group-announcement", f"""From: {GRACE}
To: Project Falcon: {PRIYA}, {ADA_W}, {MEI};
Cc: undisclosed-recipients:;
Subject: =?utf-8?Q?Project_Falcon_=E2=80=94_kick-off_moved_to_Thursday?=
Date: {date(2026, 11, 18, 14, 3)}
Message-ID: {msgid("GO13FALCON0013")}
{ms_headers("Project Falcon — kick-off moved to Thursday", "Fa13")}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hi Falcon team,

The kick-off moves to Thursday 26 November, 10:00–11:30, room Lovelace
(3rd floor) and on Teams. Please read the one-pager before then.

Grace
""")

# ====================================================================== work/Sent

write("work", "Sent", "01-re-q4-roadmap", f"""From: {ADA_W}
To: {PRIYA}
Cc: {TOMAS_ENC}, {JONAS}
Subject: RE: Q4 roadmap draft - feedback by Friday please
Date: {date(2026, 11, 4, 14, 22)}
Message-ID: {ROADMAP_R2}
In-Reply-To: {ROADMAP_R1}
References: {ROADMAP_ID} {ROADMAP_R1}
{ms_headers("Q4 roadmap draft - feedback by Friday please", "Rd3")}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

What if we split the queue migration in two: dual-write and consumers
this quarter, cut-over in January? That keeps the portal login first
and takes the pressure off.

Ada

> Agree that eight weeks is tight. The consumer rewrite alone took us five
> last time, and that was without the dual-write period.
>
> I'd put the portal login first: it unblocks the security review.
>
> Tomás
""")

write("work", "Sent", "02-accepted-weekly-sync", f"""From: {ADA_W}
To: {GRACE}
Subject: Accepted: Platform team weekly sync
Date: {date(2026, 11, 2, 9, 30)}
Message-ID: {msgid("AL2ACCEPT0002")}
In-Reply-To: {msgid("GR1WEEKLY0001")}
References: {msgid("GR1WEEKLY0001")}
MIME-Version: 1.0
Content-Type: text/calendar; charset="utf-8"; method=REPLY
Content-Transfer-Encoding: 7bit

BEGIN:VCALENDAR
METHOD:REPLY
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VEVENT
ATTENDEE;PARTSTAT=ACCEPTED;CN=Ada Lindqvist:mailto:ada@contoso.com
SUMMARY;LANGUAGE=en-US:Accepted: Platform team weekly sync
UID:040000008200E00074C5B7101A82E00800000000D0A1B2C3
END:VEVENT
END:VCALENDAR
""")

write("work", "Sent", "03-soak-test-pr", f"""From: {ADA_W}
To: {MEI}
Subject: Soak test PR
Date: {date(2026, 11, 16, 8, 58)}
Message-ID: {msgid("AL2SOAKPR0002")}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hi Mei,

The soak test PR is up: https://dev.azure.com/contoso/billing/_git/billing/pullrequest/5121
It runs the consumers for 20 minutes under replayed traffic and fails if RSS
grows by more than 10%. Happy to pair on it if anything looks odd.

Ada
""")

# ====================================================================== work/Archive

write("work", "Archive", "01-welcome-onboarding", f"""From: Contoso People Team <people@contoso.com>
To: {ADA_W}
Subject: Welcome to Contoso, Ada!
Date: {date(2026, 10, 26, 8, 0)}
Message-ID: <welcome.ada.20261026@contoso.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="wlc"

--wlc
Content-Type: text/plain; charset=utf-8

Welcome aboard, Ada!

Your first week:
  Mon  IT setup and security training
  Tue  Meet the Platform team
  Wed  Architecture overview with Priya
  Thu  Shadow on-call with Jonas
  Fri  Lunch with the team

Your buddy is Grace Okafor. Questions? people@contoso.com

--wlc
Content-Type: text/html; charset=utf-8

<html><body><h1>Welcome aboard, Ada!</h1><table>
<tr><td>Mon</td><td>IT setup and security training</td></tr>
<tr><td>Tue</td><td>Meet the Platform team</td></tr>
<tr><td>Wed</td><td>Architecture overview with Priya</td></tr>
<tr><td>Thu</td><td>Shadow on-call with Jonas</td></tr>
<tr><td>Fri</td><td>Lunch with the team</td></tr></table>
<p>Your buddy is Grace Okafor.</p></body></html>

--wlc--
""")

write("work", "Archive", "02-expense-approved", f"""From: Concur Expense <autonotification@concursolutions.example>
To: {ADA_W}
Subject: Expense report "Berlin conference" approved
Date: {date(2026, 10, 29, 16, 12, "-0500")}
Message-ID: <exp.88213.approved@concursolutions.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: quoted-printable

{qp("Your expense report \u201cBerlin conference\u201d (812,40 \u20ac) was approved by Priya Raman\nand will be paid with the November salary.\n\n\u2022 Hotel: 540,00 \u20ac\n\u2022 Train: 189,90 \u20ac\n\u2022 Meals: 82,50 \u20ac\n", "cp1252")}""")

write("work", "Archive", "03-security-training", f"""From: Contoso Security <security-awareness@contoso.com>
To: {ADA_W}
Subject: Reminder: complete "Phishing 2026" training by 15 November
Date: {date(2026, 11, 1, 9, 0)}
Message-ID: <sec-training-2026-reminder-ada@contoso.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="sec"

--sec
Content-Type: text/plain; charset=utf-8

You have one outstanding training: "Phishing 2026" (25 minutes).
Open it at https://learn.contoso.com/phishing-2026 before 15 November.

Remember: Contoso will never ask for your password by email.

--sec
Content-Type: text/html; charset=utf-8

<p>You have one outstanding training: <b>Phishing 2026</b> (25 minutes).</p>
<p><a href="https://learn.contoso.com/phishing-2026">Open the training</a> before 15 November.</p>
<p><i>Remember: Contoso will never ask for your password by email.</i></p>

--sec--
""")

write("work", "Archive", "04-re-vendor-question", f"""From: Northwind Cloud Support <support@northwind-cloud.example>
To: {ADA_W}
Subject: Re: [Case 00412877] Reserved instance pricing for 2027
Date: {date(2026, 10, 30, 19, 40, "-0800")}
Message-ID: <case00412877.r2@northwind-cloud.example>
In-Reply-To: <case00412877.q1@contoso.com>
References: <case00412877.q1@contoso.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Ada,

Reserved pricing for 2027 is published on 1 December. Customers who renew
before 31 January keep their 2026 rate for the first quarter.

Best,
Sam Ortiz
Northwind Cloud Support

On Thu, Oct 29, 2026 at 11:05 AM Ada Lindqvist <ada@contoso.com> wrote:
> Could you tell us when 2027 reserved instance prices are published?
""")

# ====================================================================== personal/INBOX

JUERGEN = "%s <juergen.mueller@gmx.example>" % ew_q("Jürgen Müller", "UTF-8")
CAFE_ID = "<7f1c9e2a-cafe-4b0e-9a4c-2026111409@gmx.example>"
write("personal", "INBOX", "01-utf8-b-subject", f"""From: {JUERGEN}
To: {ADA_P}
Subject: {ew_b("Café am Samstag? ☕ Wir treffen uns um 10 Uhr")}
Date: {date(2026, 11, 14, 9, 12)}
Message-ID: {CAFE_ID}
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

{qp('''Hallo Ada,

hast du am Samstag Zeit? Wir treffen uns um 10 Uhr im Café Größenwahn in
der Kantstraße. Lena bringt die Fotos vom Wandern mit.

Liebe Grüße
Jürgen
''')}""")

write("personal", "INBOX", "02-iso-8859-1-q-subject", f"""From: {ew_q("Hôtel Bellevue Genève", "ISO-8859-1")} <reservations@bellevue-geneve.example>
To: {ADA_P}
Subject: {ew_q("Réservation confirmée – 4–6 décembre", "UTF-8")} {ew_q(" (n° 55812)", "ISO-8859-1")}
Date: {date(2026, 11, 15, 18, 33)}
Message-ID: <resa-55812@bellevue-geneve.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: 8bit

""".encode() + """Chère Madame Lindqvist,

Nous avons le plaisir de confirmer votre réservation n° 55812 :

  Arrivée :  vendredi 4 décembre 2026, à partir de 15h00
  Départ :   dimanche 6 décembre 2026, avant 11h00
  Chambre :  double supérieure, vue sur le lac
  Tarif :    245 CHF par nuit, petit-déjeuner compris

Au plaisir de vous accueillir à Genève.

Réception de l'Hôtel Bellevue
""".encode("iso-8859-1"))

write("personal", "INBOX", "03-koi8-r", f"""From: {ew_b("Дмитрий Соколов", "KOI8-R")} <dmitry.sokolov@yandex.example>
To: {ADA_P}
Subject: {ew_b("Привет из Москвы!", "KOI8-R")}
Date: {date(2026, 11, 8, 21, 47, "+0300")}
Message-ID: <20261108214700.4412@yandex.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit

""".encode() + """Привет, Ада!

Как дела? Мы наконец переехали в новую квартиру, недалеко от парка.
Приезжай в гости весной, места хватит всем.

Обнимаю,
Дима
""".encode("koi8_r"))

sjis_body = """エイダさん

先日は京都のご案内をありがとうございました。
写真を何枚か送りますので、また連絡しますね。

来年の春にまた会えるのを楽しみにしています。

佐藤 花子
"""
write("personal", "INBOX", "04-shift-jis", f"""From: {ew_b("佐藤 花子", "Shift_JIS")} <hanako.sato@example.jp>
To: {ADA_P}
Subject: {ew_b("京都旅行のお礼", "Shift_JIS")}
Date: {date(2026, 11, 10, 22, 15, "+0900")}
Message-ID: <20261110221500.sato@example.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset="Shift_JIS"
Content-Transfer-Encoding: base64

{b64(sjis_body.encode("shift_jis"))}
""")

jis_body = """エイダ様

いつもお世話になっております。
１２月の勉強会の資料を共有いたします。
ご確認のほど、よろしくお願いいたします。

株式会社サンプル　田中 一郎
"""
write("personal", "INBOX", "05-iso-2022-jp", f"""From: {ew_b("田中 一郎", "ISO-2022-JP")} <ichiro.tanaka@sample.example.jp>
To: {ADA_P}
Subject: {ew_b("勉強会の資料について", "ISO-2022-JP")}
Date: {date(2026, 11, 12, 9, 30, "+0900")}
Message-ID: <20261112093000.tanaka@sample.example.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

""".encode() + jis_body.encode("iso2022_jp"))

write("personal", "INBOX", "06-html-table-links", f"""From: Deutsche Bahn <buchungsbestaetigung@bahn.example>
To: {ADA_P}
Subject: Your booking confirmation: Berlin Hbf -> Hamburg Hbf, 28 Nov 2026
Date: {date(2026, 11, 16, 20, 4)}
Message-ID: <booking.Q7XK2M@bahn.example>
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp('''<html><head><meta charset="utf-8"><style>td{padding:4px}</style></head><body>
<h2>Thank you for your booking</h2>
<p>Booking code: <b>Q7XK2M</b></p>
<table border="1" cellspacing="0">
<thead><tr><th>Train</th><th>From</th><th>Departure</th><th>To</th><th>Arrival</th><th>Seat</th></tr></thead>
<tbody>
<tr><td>ICE 1009</td><td>Berlin Hbf</td><td>Sat 28 Nov 08:34</td><td>Hamburg Hbf</td><td>10:21</td><td>Car 7, seat 61</td></tr>
<tr><td>ICE 1016</td><td>Hamburg Hbf</td><td>Sun 29 Nov 17:06</td><td>Berlin Hbf</td><td>18:52</td><td>Car 7, seat 64</td></tr>
</tbody></table>
<p>Total: <b>59,80&nbsp;&euro;</b> (Super Sparpreis, BahnCard 25)</p>
<p><a href="https://www.bahn.example/buchung/Q7XK2M">Manage your booking</a> &middot;
<a href="https://www.bahn.example/ticket/Q7XK2M.pdf">Download your ticket (PDF)</a> &middot;
<a href="https://www.bahn.example/agb">Terms and conditions</a></p>
</body></html>
''')}""")

# Subject, From name and body carry escape sequences: a title-setting OSC, a
# clear screen, colours, an OSC 8 hyperlink and a raw 8-bit CSI (U+009B).
ESC = "\x1b"
evil_body = (
    "Dear customer,\n\n"
    f"{ESC}]0;postern: all mail deleted{chr(7)}{ESC}[2J{ESC}[H"
    f"Your mailbox is {ESC}[1;31mFULL{ESC}[0m and will be {ESC}[5mdeleted{ESC}[0m today.\n"
    f"Click {ESC}]8;;https://phish.example/login{ESC}\\here{ESC}]8;;{ESC}\\ to keep your mail.\n"
    f"\u009b31mThis line used an 8-bit CSI.\u009b0m\n"
    f"Bell:{chr(7)} backspace:x{chr(8)} form feed:{chr(12)}end\n"
    f"{ESC}P1$qm{ESC}\\{ESC}[8mhidden text{ESC}[28m\n"
    "Right-to-left override: invoice_\u202egpj.exe\n\n"
    "Mail Admin\n"
)
write("personal", "INBOX", "07-escape-sequences", f"""From: {ew_q(f"Mail Admin {ESC}[32m(verified){ESC}[0m")} <admin@mailbox-quota.example>
To: {ADA_P}
Subject: URGENT{ESC}]0;You have been hacked{chr(7)} {ESC}[31mmailbox full{ESC}[0m {ew_q(f"{ESC}[2J")}act now
Date: {date(2026, 11, 17, 3, 14, "+0000")}
Message-ID: <quota-warning-4471@mailbox-quota.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{evil_body}""")

inner = f"""From: Lena Hoffmann <lena.hoffmann@posteo.example>
To: Jürgen Müller <juergen.mueller@gmx.example>
Subject: Wohnungsbesichtigung am Samstag
Date: {date(2026, 11, 18, 12, 30)}
Message-ID: <lena.wohnung.20261118@posteo.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hi Jürgen,

die Besichtigung ist am Samstag um 14 Uhr, Lychener Straße 12, 3. OG.
Die Maklerin heißt Frau Kowalski. Bring bitte die Schufa-Auskunft mit.

Lena
"""
write("personal", "INBOX", "08-forwarded-rfc822", f"""From: {JUERGEN}
To: {ADA_P}
Subject: Fwd: Wohnungsbesichtigung am Samstag
Date: {date(2026, 11, 18, 13, 2)}
Message-ID: <fwd.wohnung.20261118@gmx.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-boundary"

--fwd-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Ada, kannst du mitkommen? Du kennst dich mit Mietverträgen besser aus.
Details unten.

--fwd-boundary
Content-Type: message/rfc822
Content-Disposition: inline

{inner}
--fwd-boundary--
""")

GB_BODY = """Ada，你好！

这个周末天气很好，我们打算去香山爬山。
星期六早上八点在地铁站见面，你有空吗？

小明
"""
write("personal", "INBOX", "09-gb2312", f"""From: {ew_b("王小明", "GB2312")} <xiaoming.wang@example.cn>
To: {ADA_P}
Subject: {ew_b("周末一起去爬山吗？", "GB2312")}
Date: {date(2026, 11, 19, 19, 8, "+0800")}
Message-ID: <20261119190800.wang@example.cn>
MIME-Version: 1.0
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64

{b64(GB_BODY.encode("gb2312"))}
""")

write("personal", "INBOX", "10-iso-8859-15-euro", f"""From: {ew_q("Bücherstube Nördlingen", "ISO-8859-15")} <shop@buecherstube.example>
To: {ADA_P}
Subject: {ew_q("Ihre Bestellung 2026-4471 – Versandbestätigung", "UTF-8")}
Date: {date(2026, 11, 19, 11, 25)}
Message-ID: <order-2026-4471@buecherstube.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-15
Content-Transfer-Encoding: quoted-printable

{qp('''Sehr geehrte Frau Lindqvist,

Ihre Bestellung wurde heute versandt:

  1 x  "Die Analytische Maschine"            24,00 €
  1 x  "Kleine Geschichte der Rechenkunst"   18,50 €
       Versand                                 0,00 €
       Summe                                  42,50 €

Sendungsnummer: 00340434161094012345

Ihre Bücherstube Nördlingen
''', "iso-8859-15")}""")

write("personal", "INBOX", "11-unknown-charset", f"""From: Old Mailing List <list@retro-computing.example>
To: {ADA_P}
Subject: [retro] Digest: restoring a PDP-11/40
Date: {date(2026, 11, 20, 6, 0, "+0000")}
Message-ID: <digest.2026-11-20@retro-computing.example>
List-Id: <retro.retro-computing.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="x-mac-klingon"
Content-Transfer-Encoding: 8bit

""".encode() + """Today's topics:

  1. Core memory board still dead after re-seating (Hal)
  2. Re: Where to find M7260 boards (Margaret)

Hal writes: the board tests fine on the bench but fails in the chassis.
""".encode() + b"Margaret writes: try the \xa7 4.2 procedure in the manual, caf\xe9 break first.\n")

# ====================================================================== personal/Sent

write("personal", "Sent", "01-re-cafe", f"""From: {ADA_P}
To: {JUERGEN}
Subject: {ew_b("Re: Café am Samstag? ☕ Wir treffen uns um 10 Uhr")}
Date: {date(2026, 11, 14, 10, 40)}
Message-ID: <DB9P194MB1122.ada.cafe@DB9P194MB1122.EURP194.PROD.OUTLOOK.COM>
In-Reply-To: {CAFE_ID}
References: {CAFE_ID}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Klingt gut, ich bin um 10 da! Ich bringe den Kuchen mit.

Ada

Am 14.11.2026 um 09:12 schrieb Jürgen Müller:
> hast du am Samstag Zeit? Wir treffen uns um 10 Uhr im Café Größenwahn in
> der Kantstraße.
""")

hike = make_png(24, 16, lambda x, y: (40 + 5 * y, 140 - 3 * y, 60) if y > 8 else (120, 180, 240))
write("personal", "Sent", "02-photo-attachment", f"""From: {ADA_P}
To: {JUERGEN}, Lena Hoffmann <lena.hoffmann@posteo.example>
Subject: Fotos vom Wandern
Date: {date(2026, 11, 15, 17, 55)}
Message-ID: <DB9P194MB1122.ada.fotos@DB9P194MB1122.EURP194.PROD.OUTLOOK.COM>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="photo-mix"

--photo-mix
Content-Type: text/plain; charset=utf-8

Hier das Panorama vom Gipfel, die anderen kommen per Link.

Ada

--photo-mix
Content-Type: image/png; name="{ew_q("Gipfel–Panorama.png")}"
Content-Disposition: attachment; filename="{ew_q("Gipfel–Panorama.png")}"
Content-Transfer-Encoding: base64

{b64(hike)}
--photo-mix--
""")

write("personal", "Sent", "03-to-landlord", f"""From: {ADA_P}
To: Hausverwaltung Schmidt <verwaltung@hv-schmidt.example>
Subject: Heizung in der Wohnung 4B
Date: {date(2026, 11, 19, 8, 15)}
Message-ID: <DB9P194MB1122.ada.heizung@DB9P194MB1122.EURP194.PROD.OUTLOOK.COM>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: 8bit

Sehr geehrte Damen und Herren,

seit Montag bleibt der Heizkörper im Wohnzimmer der Wohnung 4B kalt, 
obwohl das Thermostat auf 4 steht. Könnten Sie bitte einen Termin mit 
dem Installateur vereinbaren? Ich bin werktags ab 17 Uhr zu Hause.

Mit freundlichen Grüßen
Ada Lindqvist
""")

print(len(ALL), "messages")
