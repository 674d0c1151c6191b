"""The forgotten-password page takes as long for an address with an account as for one without.

Measured rather than assumed: many requests for a known and an unknown address, interleaved, then
compared by their medians and by the Mann–Whitney statistic of a shifted sample (how often a request
for the known address is slower than one for the unknown address by more than the bound). The SMTP
server takes 200 ms to accept a message, like a slow provider: an email sent within the request would
shift every answer for the known address by 200 ms, far beyond a bound (50 ms) generous enough for a
busy 2-core machine.
"""
import statistics
import time

from tests.conftest import csrf_token

ROUNDS = 40
WARM_UP = 3
BOUND = 0.050  # seconds
SMTP_DELAY = 0.200


def slower_by_more_than(bound, a, b) -> float:
    """Mann–Whitney's U / (n·m) for ``a - bound`` against ``b``: the share of pairs where a request
    of ``a`` took longer than one of ``b`` plus the bound (ties count half)."""
    wins = sum(1.0 if x - bound > y else 0.5 if x - bound == y else 0.0 for x in a for y in b)
    return wins / (len(a) * len(b))


def test_the_answer_takes_as_long_whether_or_not_the_address_has_an_account(app, client, make, smtp_server):
    app.config["PASSWORD_RESET_LIMIT"] = "10000 per hour"  # the limit is not what is measured
    smtp_server.mailbox.delay = SMTP_DELAY
    known, unknown = make.user().email, "nobody-here@virage.example"
    token = csrf_token(client, "/password/forgot")
    timings = {known: [], unknown: []}

    def ask(email) -> float:
        began = time.perf_counter()
        response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
        elapsed = time.perf_counter() - began
        assert response.status_code == 302
        with client.session_transaction() as session:  # the flashed message, not read here
            session.pop("_flashes", None)
        return elapsed

    for round_number in range(WARM_UP + ROUNDS):
        order = (known, unknown) if round_number % 2 else (unknown, known)  # neither always first
        for email in order:
            elapsed = ask(email)
            if round_number >= WARM_UP:
                timings[email].append(elapsed)

    medians = {email: statistics.median(values) for email, values in timings.items()}
    summary = f"medians {medians[known] * 1000:.1f} ms (account) and {medians[unknown] * 1000:.1f} ms (none)"
    assert abs(medians[known] - medians[unknown]) < BOUND, summary
    assert slower_by_more_than(BOUND, timings[known], timings[unknown]) < 0.2, summary
    assert slower_by_more_than(BOUND, timings[unknown], timings[known]) < 0.2, summary
    assert smtp_server.messages == []  # nothing is sent within the request
