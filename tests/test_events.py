import pytest

from indexer.article import Event, Participant
from indexer.errors import InputError
from indexer.facets.events import extract_events, parse_event_table
from indexer.facets.extract import extract_facets_batch
from indexer.ingest.files import read_articles

from .paths import SEED_MAZDA, SEED_TOYOTA, SEEDS


def event(event_type: str, *participants: tuple[str, str]) -> Event:
    return Event(event_type, tuple(Participant(name, role) for name, role in participants))


def test_seed_events():
    found = {a.id: set(a.events) for a in extract_facets_batch(read_articles([SEEDS]).articles)}
    assert found == {
        SEED_TOYOTA: {event("Joint venture", ("Toyota", "partner"), ("Panasonic", "partner"))},
        SEED_MAZDA: {
            event("Supply deal", ("Panasonic", "supplier"), ("Mazda", "customer")),
            event("Partnership", ("Nissan", "partner"), ("Honda", "partner")),
        },
    }


@pytest.mark.parametrize(
    "text, companies, expected",
    [
        (
            "Zorbex to buy Quillan\nZorbex Corp said it agreed to buy Quillan Inc for 20 mln dlrs.",
            ("Zorbex", "Quillan"),
            (event("Acquisition", ("Zorbex", "acquirer"), ("Quillan", "target")),),
        ),
        (
            "Quillan acquired\nQuillan Inc said it was acquired by Zorbex Corp.",
            ("Quillan", "Zorbex"),
            (event("Acquisition", ("Quillan", "target"), ("Zorbex", "acquirer")),),
        ),
        # a commodity bought is not a company bought
        ("Algeria buys wheat\nZorbex said Algeria bought 75,000 tonnes of wheat.", ("Zorbex",), ()),
        # a stake is not an acquisition
        (
            "Zorbex buys stake\nZorbex Corp said it bought a 20 pct stake in Quillan Inc.",
            ("Zorbex", "Quillan"),
            (event("Stake", ("Zorbex", "investor"), ("Quillan", "investee")),),
        ),
        # history is not news
        (
            "Zorbex results\nZorbex said sales rose at Quillan, which it bought in 1985.",
            ("Zorbex", "Quillan"),
            (event("Earnings", ("Zorbex", "company")),),
        ),
        # a rating action needs a rating agency
        (
            "Moody's downgrades Zorbex\nMoody's Investors Service said it downgraded Zorbex Corp's debt.",
            ("Moody's", "Zorbex"),
            (event("Rating action", ("Moody's", "agency"), ("Zorbex", "company")),),
        ),
        # the agency is the agency whichever side of the phrase it is written
        (
            "Zorbex debt cut\nZorbex Corp's debt was downgraded by Standard & Poor's Corp.",
            ("Zorbex", "Standard & Poor's"),
            (event("Rating action", ("Zorbex", "company"), ("Standard & Poor's", "agency")),),
        ),
        ("Zorbex affirms\nZorbex affirmed its intent to grow.", ("Zorbex",), ()),
        # a bond launched is not a product launched
        ("Zorbex launches bond\nZorbex Corp launched a 100 mln dlr eurobond.", ("Zorbex",), ()),
        # a unit sold to a named buyer is an acquisition with a seller
        (
            "Zorbex to sell unit\nZorbex Corp said it agreed to sell its Quillan unit to Brillo Inc.",
            ("Zorbex", "Quillan", "Brillo"),
            (event("Acquisition", ("Zorbex", "seller"), ("Quillan", "target"), ("Brillo", "acquirer")),),
        ),
        # the subject of a bid it received is its target
        (
            "Zorbex gets bid\nZorbex Corp said it has received three proposals to acquire control of the company.",
            ("Zorbex",),
            (event("Acquisition", ("Zorbex", "target")),),
        ),
        # a relative clause is background: its company is not the subject
        (
            "Zorbex steel news\nThe company, which is 70 pct owned by Quillan GmbH, said the job losses were planned.",
            ("Zorbex", "Quillan"),
            (event("Job cuts", ("Zorbex", "company")),),
        ),
        # the venture a joint venture is called is no partner
        (
            "Zorbex in venture\nZorbex Corp formed a joint venture with Quillan called Brillo Co Ltd.",
            ("Zorbex", "Quillan", "Brillo"),
            (event("Joint venture", ("Zorbex", "partner"), ("Quillan", "partner")),),
        ),
        # an existing venture, a legal order and a result of something are no news of a deal
        (
            "Zorbex news\nZorbex Corp agreed to buy Quillan Inc out of their equally owned joint venture.",
            ("Zorbex", "Quillan"),
            (event("Acquisition", ("Zorbex", "acquirer"), ("Quillan", "target")),),
        ),
        ("Zorbex news\nThe order requires Zorbex Corp to get approval from Quillan Inc.", ("Zorbex", "Quillan"), ()),
        ("Zorbex news\nZorbex Corp said reforms should result in more trade.", ("Zorbex",), ()),
        ("Zorbex suite\nZorbex Corp offers an office suite to help secure a debate.", ("Zorbex",), ()),
        ("Zorbex credit\nZorbex Corp introduced a line of credit for 50 mln dlrs.", ("Zorbex",), ()),
        # the company after "from" sells; it is neither the buyer nor what is bought
        (
            "Quillan buys systems\nZorbex Corp said its Quillan unit agreed to acquire cable systems from Brillo Inc.",
            ("Zorbex", "Quillan", "Brillo"),
            (event("Acquisition", ("Quillan", "acquirer"), ("Brillo", "seller")),),
        ),
        # a results table whose company only the headline in capitals names is still earnings news;
        # figures of a whole economy are not
        (
            "ZORBEX LEASING INC <ZLS.O> YEAR LOSS\nShr loss 39 cts vs profit 19 cts\n\nNet loss 433,424 vs 216,117",
            (),
            (event("Earnings"),),
        ),
        ("Cars pull down retail figures\nUS retail sales fell 0.3% in January.", (), ()),
        # an offer of securities is a financing, not a bid
        ("Zorbex files for offer\nZorbex Corp filed for an offer of 500 mln dlrs of debt securities.", ("Zorbex",), ()),
        # what is bought: a business of any kind, or assets such as an oil field
        (
            "Zorbex acquires retailer\nZorbex Corp said it acquired a shoe retailer for 12 mln dlrs.",
            ("Zorbex",),
            (event("Acquisition", ("Zorbex", "acquirer")),),
        ),
    ],
    ids=[
        "buy",
        "acquired-by",
        "commodity",
        "stake",
        "history",
        "rating",
        "agency-after",
        "no-agency",
        "bond",
        "sale-to-buyer",
        "received-bid",
        "relative-clause",
        "venture-called",
        "existing-venture",
        "legal-order",
        "result-in",
        "suite",
        "line-of-credit",
        "buys-retailer",
        "bought-from",
        "results-table",
        "retail-sales",
        "debt-offer",
    ],
)
def test_extract_events(text, companies, expected):
    assert extract_events(text, companies) == expected


@pytest.mark.parametrize(
    "table, message",
    [
        ("type\tDeal\tbuyer\ntrigger\tDeal\tseller/buyer\tbuy", "event table line 2: Deal has no role 'seller'"),
        ("type\tDeal\tbuyer\ntrigger\tMerger\tbuyer/-\tbuy", "event table line 2: not a type, trigger, unless"),
        ("kind\tname", "event table line 1: not a type, trigger, unless"),
    ],
)
def test_bad_event_table(table, message):
    with pytest.raises(InputError, match=message):
        parse_event_table(table)
