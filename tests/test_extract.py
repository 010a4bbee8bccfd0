import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.errors import InputError
from indexer.facets.companies import CompanyExtractor
from indexer.facets.company_kb import (
    CompanyRecord,
    build_knowledge_base,
    load_knowledge_base,
    parse_company_records,
    variant_key,
)
from indexer.facets.extract import extract_facets
from indexer.facets.technologies import extract_technologies, load_taxonomy, parse_taxonomy
from indexer.ingest.files import read_articles

from .paths import SEED_MAZDA, SEED_TOYOTA, SEEDS, SHARED


@pytest.fixture(scope="module")
def seed_facets():
    return {a.id: extract_facets(a) for a in read_articles([SEEDS]).articles}


def test_seed_companies(seed_facets):
    assert set(seed_facets[SEED_TOYOTA].companies) == {"Toyota", "Panasonic"}
    assert set(seed_facets[SEED_MAZDA].companies) == {"Mazda", "Panasonic", "Nissan", "Honda"}


def test_seed_technologies(seed_facets):
    assert set(seed_facets[SEED_TOYOTA].technologies) == {
        "Smart cities",
        "Internet of Things",
        "Electric vehicles",
        "Lithium-ion batteries",
        "Solid-state batteries",
    }
    assert set(seed_facets[SEED_MAZDA].technologies) == {
        "Electric vehicles",
        "Lithium-ion batteries",
        "Electrification",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        # variants, legal forms and possessives collapse to one canonical name
        ("Panasonic Holdings' unit Panasonic Energy and Panasonic's chief", ("Panasonic",)),
        ("Nissan Motor Co and Nissan agreed.", ("Nissan",)),
        ("Toyota Motor Corp. said so.", ("Toyota",)),
        # tickers in angle brackets resolve to their company and add nothing else
        ("EXXON <XOM> RAISES PRICES.", ("ExxonMobil",)),
        # an unknown name before a strong legal form is discovered
        ("Shares of Acme Widgets Inc rose.", ("Acme Widgets",)),
        ("The Foo Bar Ltd said.", ("Foo Bar",)),
        # a known name heading a longer name is not that company
        ("Apple Daily reported it.", ()),
        # wire services and publishers are not companies
        ("TOKYO (Reuters) - Reuters reported.", ()),
        # a longer form of a known company the article names is that company: one value
        ("t\nAirbus Industrie said on Monday. Airbus will build it.", ("Airbus",)),
        ("t\nNewmont Mining Corp said. Newmont shares rose.", ("Newmont",)),
        # ... but two known companies stay two
        ("t\nMitsubishi Motors and Mitsubishi Corp agreed.", ("Mitsubishi Motors", "Mitsubishi")),
        # a given name ending a sentence does not make the next sentence's subject a surname
        (
            "t\nBoeing has unveiled a plane. It links cities such as London and Paris. Boeing, in contrast to "
            "Airbus, hopes.",
            ("Boeing", "Airbus"),
        ),
        # ... while a title's full stop still does ("Mr. Gates" is a person, Gates alone too)
        ("t\nMr. Gates spoke. Gates said Microsoft would.", ("Microsoft",)),
        ("", ()),
    ],
)
def test_extract_companies(text, expected):
    assert CompanyExtractor().extract(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # discovered from context: tickers, descriptors, people's employers, Reuters' <names>
        ("Key Tronic corp <KTCC> said it won contracts.", ("Key Tronic",)),
        ("KEY TRONIC <KTCC> GETS NEW BUSINESS\nKey Tronic corp said it won contracts.", ("Key Tronic",)),
        ("The survey was run by branding firm SalterBaxter.", ("SalterBaxter",)),
        ("Sales at the Zorbex group rose, but the pop group Westlife split.", ("Zorbex",)),
        ("Fraud charges\nPeter Marion of Maritime Seafood Processors was charged.", ("Maritime Seafood Processors",)),
        ("Fujitsu bid for <Fairchild Semiconductor Corp> last year.", ("Fujitsu", "Fairchild Semiconductor")),
        ("Dainippon Ink and Chemicals Inc made a bid.", ("Dainippon Ink and Chemicals",)),
        (
            "UK-based bank Standard Chartered said it would buy Korea First Bank (KFB).",
            ("Standard Chartered", "Korea First Bank"),
        ),
        # feed text with mangled entities
        ("Standard  amp; Poor #39;s cut the rating of AT amp;T Wireless.", ("Standard & Poor's", "AT&T Wireless")),
        # a unit is itself unless its parent is named too
        ("Panasonic Energy opened a plant.", ("Panasonic Energy",)),
        ("Panasonic Energy, a unit of Panasonic Holdings, opened a plant.", ("Panasonic",)),
        # guards: people, places, institutions, ordinary words
        ("Chancellor Gordon Brown spoke. Kevin Hawkins said Hawkins was right.", ()),
        ("A spokesman for the Association of Payment and Clearing Services said.", ()),
        ("It was approved by the Internet Corporation for Assigned Names and Numbers.", ()),
        ("Social Services and Mobile Communications staff met.", ()),
        ("The team: J Smit, V Matfield and S Burger played.", ()),
        ("Indonesian officials and New York-based lawyers met.", ()),
        ("He spoke at a conference in Phoenix, Arizona.", ()),
        ("Bill Gates spoke. Later Mr Gates left.", ()),
        ("The US Securities and Exchange Commission said.", ()),
        ("Shares rose at 1300 GMT Carnival's shares were up.", ("Carnival",)),
        # the other items of a list that names a known company are companies, people and places aside
        (
            "Retailers - including Zorbex, Monsoon, House of Fraser and Tesco - did well.",
            ("Zorbex", "Monsoon", "House of Fraser", "Tesco"),
        ),
        ("Mr Ray thanked Tesco, Paris and John Smith.", ("Tesco",)),
        # not a list of companies: products, owners, one name with commas, a role of the company
        ("Brands including Cadbury, Trident and Halls sold well.", ("Cadbury",)),
        (
            "Sony's Playstation, Microsoft's X-Box and Nintendo's Game Cube sold well.",
            ("Sony", "Microsoft", "Nintendo"),
        ),
        ("He holds the Sears, Roebuck and Co franchise.", ("Sears",)),
        ("The CEOs of Nissan Motor and Honda met.", ("Nissan", "Honda")),
        # a partnership written with a comma is one name; its second half is never a value
        ("Advisers Goldman, Sachs & Co and Zorbex, Quillan and Co Inc said.", ("Goldman Sachs", "Zorbex, Quillan")),
        ("In London, Barclays and Co said.", ()),
        ("Stocks fell, said Mark Zurack of Goldman, Sachs and Co. He cautioned.", ("Goldman Sachs",)),
        ("It bought a stake in the Fichtel und Sachs AG car parts group.", ("Fichtel und Sachs",)),
        # other contexts that say "company": "and Co", an analyst's employer, a descriptor opening the sentence
        ("The shares were placed by Kleinwort Grieveson and Co.", ("Kleinwort Grieveson",)),
        ("Miner Highland Gold said it regretted the decision.", ("Highland Gold",)),
        # a state after a town is a place, whatever follows it
        ("It was filed by a Lakeland, Fla., group of growers.", ()),
    ],
)
def test_discovery_and_guards(text, expected):
    assert CompanyExtractor().extract(text) == expected


def test_a_name_confirmed_in_one_article_is_known_in_others():
    extractor = CompanyExtractor()
    assert extractor.extract("Later, Zentrix said sales rose.") == ()
    extractor.learn(["Zentrix Ltd said on Monday it would list its shares."])
    assert extractor.extract("Later, Zentrix said sales rose.") == ("Zentrix",)


@pytest.mark.parametrize(
    "text, expected",
    [
        # a discovered name spelled another way than the knowledge base's is the known company
        ("t\nShares of Pepsico Inc rose.", ("PepsiCo",)),
        ("t\nDupont Co said.", ("DuPont",)),
        # spacing as the text had it is not part of a name
        ("t\nShares of Zentrix  Widgets Inc rose.", ("Zentrix Widgets",)),
    ],
)
def test_one_spelling_per_known_company(text, expected):
    assert CompanyExtractor().extract(text) == expected


def test_the_spelling_the_collection_confirmed_first_is_every_article_s():
    extractor = CompanyExtractor()
    extractor.learn(["GenCorp Inc said on Monday it would list its shares."])
    assert extractor.extract("t\nGENCORP INC said it would.") == ("GenCorp",)
    assert extractor.extract("t\nShares of Gencorp Inc rose.") == ("GenCorp",)


def test_a_name_learned_in_capitals_is_spelled_out_of_them_and_names_read_back_agree():
    extractor = CompanyExtractor()
    extractor.learn(["t\nThe firm said <ZENTRIX WIDGETS INC> rose.", "t\nShares of Zentrix-Widgets Inc rose."])
    assert extractor.learned == {"zentrix widgets": "ZENTRIX WIDGETS", "zentrix-widgets": "Zentrix-Widgets"}
    texts = ["t\nZENTRIX WIDGETS said.", "t\nShares of Zentrix-Widgets rose."]
    assert [extractor.extract(text) for text in texts] == [("Zentrix-Widgets",), ("Zentrix-Widgets",)]
    again = CompanyExtractor()
    again.learn_names(extractor.learned.values())  # as a worker, or an update reading them back
    assert [again.extract(text) for text in texts] == [("Zentrix-Widgets",), ("Zentrix-Widgets",)]
    alone = CompanyExtractor()
    alone.learn(["t\nThe firm said <ZENTRIX WIDGETS INC> rose."])
    assert alone.extract("t\nZENTRIX WIDGETS said.") == ("Zentrix Widgets",)


@pytest.mark.parametrize(
    "shouted, written",
    [
        ("JOHN LABATT", "John Labatt"),
        ("BANK OF CHINA", "Bank of China"),
        ("HUDSON'S BAY", "Hudson's Bay"),
        ("GEC ALSTHOM", "GEC Alsthom"),  # short words that are no everyday word are initials
        ("ICI AMERICAS", "ICI Americas"),
        ("NYNEX", "NYNEX"),  # too short to be shouted: it may be how the company writes itself
        ("Kidder  Peabody", "Kidder Peabody"),
    ],
)
def test_a_name_in_capitals_is_written_as_the_company_writes_it(shouted, written):
    assert CompanyExtractor()._as_the_company_writes_it(shouted) == written


def test_variant_key_leaves_out_case_punctuation_and_spacing():
    spellings = ("Kidder, Peabody", "KIDDER PEABODY", "Kidder  Peabody", "KidderPeabody")
    assert {variant_key(n) for n in spellings} == {"kidderpeabody"}
    assert variant_key("AT&T") != variant_key("ATT")


def test_everyday_words_are_not_learned():
    extractor = CompanyExtractor()
    extractor.learn(["United's chief executive spoke.", "I told my partner I had a new job."])
    assert extractor.learned == {}


# Texts whose results depend on the state of their own scan: the surnames of the
# people each names ("Mary Ford" makes "Ford" a person) and whether it is read to
# learn names (learned names count only in extraction).
_SCAN_DEPENDENT = [
    ("extract", "Mary Ford arrived. Later Ford said it would go.", ()),
    ("extract", "Shares of Ford rose. Later Ford said it would go.", ("Ford",)),
    ("extract", "Kevin Hawkins said Hawkins was right.", ()),
    ("extract", "Later, Hawkins said sales rose.", ("Hawkins",)),
    ("extract", "Later, Zentrix said sales rose.", ("Zentrix",)),
    ("confirm", "Zentrix Ltd said on Monday it would list its shares.", ("Zentrix",)),
]


def test_one_extractor_serves_many_threads_at_once():
    """Each scan keeps its own surnames and learning flag: were they kept on the
    extractor, texts read at the same time would take each other's."""
    extractor = CompanyExtractor()
    extractor.learn(["Zentrix Ltd said on Monday it would list its shares."])

    def read(job: tuple[str, str, tuple[str, ...]]) -> tuple[str, ...]:
        kind, text, _ = job
        return extractor.extract(text) if kind == "extract" else tuple(extractor.confirmed_names(text))

    alone = [read(job) for job in _SCAN_DEPENDENT]
    assert alone == [expected for _, _, expected in _SCAN_DEPENDENT]
    jobs = _SCAN_DEPENDENT * 60
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so scans overlap
    try:
        with ThreadPoolExecutor(max_workers=len(_SCAN_DEPENDENT)) as pool:
            together = list(pool.map(read, jobs))
    finally:
        sys.setswitchinterval(interval)
    assert together == alone * 60


def test_source_is_not_a_company():
    extractor = CompanyExtractor()
    assert extractor.extract("Example Wire Ltd reported that Honda rose.", source="Example Wire") == ("Honda",)


def test_most_mentioned_company_first():
    assert CompanyExtractor().extract("Honda and Mazda. Mazda again. Mazda!") == ("Mazda", "Honda")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Leafy and Leaf Unit and Middle Co.", ("Middle Co",)),
        ("Leafy said. Middle Co said. Group Ltd said.", ("Group",)),
        # a unit named without its parent is itself
        ("Leafy said so.", ("Leaf Unit",)),
    ],
)
def test_subsidiary_counts_under_a_named_parent(text, expected):
    kb = build_knowledge_base(
        [
            CompanyRecord("Group"),
            CompanyRecord("Middle Co", parent="Group"),
            CompanyRecord("Leaf Unit", aliases=("Leafy",), parent="Middle Co"),
        ]
    )
    assert CompanyExtractor(kb).extract(text) == expected


@pytest.mark.parametrize(
    "records, message",
    [
        ([CompanyRecord("A", parent="Nobody")], "unknown parent 'Nobody'"),
        ([CompanyRecord("A", parent="B"), CompanyRecord("B", parent="A")], "loop"),
    ],
)
def test_bad_knowledge_base(records, message):
    with pytest.raises(match=message):
        build_knowledge_base(records)


def test_record_keys_extraction_does_not_use_are_ignored():
    line = '{"name": "Acme", "tickers": ["ACME"], "industries": ["Widgets"]}'
    assert parse_company_records([line]) == [CompanyRecord("Acme", tickers=("ACME",))]


def test_shipped_knowledge_base_loads():
    kb = load_knowledge_base()
    assert kb.canonical_for_ticker("7261.T") == "Mazda"


@pytest.mark.parametrize(
    "learned, text, expected",
    [
        # a possessive is the company; a name that is itself possessive stays
        ((), "Moody's cut Hoechst AG's rating.", ("Moody's", "Hoechst")),
        ((), "Zorbex Widgets Inc's shares fell.", ("Zorbex Widgets",)),
        # a piece of a longer name in the same article is that name, a longer form of a known one is it
        ((), "Advisers Goldman, Sachs and Co said Sachs would act.", ("Goldman Sachs",)),
        ((), "Regie Nationale des Usines Renault said it agreed. Renault shares rose.", ("Renault",)),
        # a name joining two companies the collection knows is those two
        (
            ("Security Pacific Corp said.", "Chase Manhattan Corp said."),
            "Chase Manhattan and Security Pacific Corp agreed.",
            ("Chase Manhattan", "Security Pacific"),
        ),
        ((), "Dainippon Ink and Chemicals Inc made a bid.", ("Dainippon Ink and Chemicals",)),
        # brackets hold one name, even where a name learned elsewhere starts inside them
        (
            ("Daiwa Securities Co Ltd said.", "America Inc said."),
            "<Daiwa Securities America Inc> was named a dealer.",
            ("Daiwa Securities America",),
        ),
    ],
)
def test_one_value_per_company(learned, text, expected):
    extractor = CompanyExtractor()
    extractor.learn(learned)
    assert extractor.extract(text) == expected


def test_a_headline_in_capitals_names_a_company_the_collection_writes():
    extractor = CompanyExtractor()
    extractor.learn(["t\nShares of Temple-Inland Inc rose.", "t\nPrime Medical Services Inc said."])
    assert [
        extractor.extract(text, "reuters", 1987)
        for text in (
            "TEMPLE-INLAND INC <TIN> 1ST QTR NET\nShr 1.05 dlrs vs 90 cts",
            "GROUP SEEKS PRIME MEDICAL SERVICES INC <PMSI> HOLDER LIST\nNo names here.",
            "TALKS ON ZORBEX WIDGETS CORP <ZWC> SALE END\nNo names here.",
        )
    ] == [("Temple-Inland",), ("Prime Medical Services",), ()]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Cray Research Inc said Aerospatiale, a French aerospace company, ordered a computer.",
            ("Cray Research", "Aerospatiale"),
        ),
        ("Zorblex, a Dutch electronics group, said it would grow.", ("Zorblex",)),
        ("He said Quillam, the shoe retailer that sells boots, grew.", ("Quillam",)),
        # a person, a name that is no description, a sentence's opening word, a central bank
        ("Zorblex, a company spokesman, said it would grow.", ()),
        ("In mid-May, Zorblex, the Bank of England said.", ()),
        ("Neither Brazil, the largest producer, nor Peru sold.", ()),
        ("Bank of Zorbonia, the central bank, cut rates.", ()),
    ],
)
def test_an_apposition_says_what_a_name_is(text, expected):
    assert CompanyExtractor().extract("t\n" + text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Quantum Fund N.V., a mutual fund, said it agreed.", ("Quantum Fund",)),
        ("Petrofina S.A. said it agreed.", ("Petrofina",)),
        ("Zorbex Holding N.V. said it agreed.", ("Zorbex",)),
        ("Norsk Hydro A/S <NHY.OL> and Saga Petroleum A/S said they applied.", ("Norsk Hydro", "Saga Petroleum")),
    ],
)
def test_a_legal_form_written_with_stops_is_a_legal_form(text, expected):
    assert CompanyExtractor().extract("t\n" + text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a legal form confirms a known name that is also everyday words, even opening a sentence
        ("Dow Chemical Co said it agreed to sell its unit.", ("Dow Chemical",)),
        ("Eli Lilly and Co said it obtained approval.", ("Eli Lilly",)),
        # a title word opens a company's name when a legal form or a company word ends it
        ("General Refractories Co said it agreed.", ("General Refractories",)),
        ("He said General Smith agreed.", ()),
        # a rating grade is no part of a name
        ("It rated A-minus Zorbex Widgets Inc debt.", ("Zorbex Widgets",)),
        # the Dow is an index
        ("The Dow Jones industrial average fell.", ()),
    ],
)
def test_names_that_open_with_a_title_or_an_everyday_word(text, expected):
    assert CompanyExtractor().extract("t\n" + text) == expected


def test_the_collection_spells_each_name_one_way():
    texts = ["t\nShares in Calmat rose, said analysts at Calmat.", "t\nAnalysts at CalMat said.", "t\nCALMAT said."]
    extractor = CompanyExtractor()
    extractor.learn(texts)
    assert list(extractor.spellings) == ["Calmat", "CalMat"]
    assert {extractor.extract(text) for text in texts[:2]} == {("Calmat",)}
    again = CompanyExtractor()  # a worker, or an update reading them back from the index
    again.learn_spellings(extractor.spellings)
    assert again.extract(texts[1]) == ("Calmat",)


def test_listed_years_are_read_and_checked():
    line = '{"name": "GEC", "tickers": ["GECL.L"], "listed": [null, 1999]}'
    assert parse_company_records([line]) == [CompanyRecord("GEC", tickers=("GECL.L",), listed=(None, 1999))]
    with pytest.raises(InputError, match="listed must be"):
        parse_company_records(['{"name": "GEC", "listed": "1999"}'])


@pytest.mark.parametrize(
    "text, year, expected",
    [
        # today's listings hold their tickers in today's news, not in 1987's
        ("It said <SM> sold a unit.", 2019, ("SM Energy",)),
        ("It said <SM> sold a unit.", 1987, ()),
        ("It said <SM> sold a unit.", None, ("SM Energy",)),
        # a hand-kept listing with its years: GEC, the UK's General Electric Company plc
        ("The General Electric Co Plc <GECL.L> said it won an order.", 1987, ("GEC",)),
        ("It said <GECL.L> won an order.", 1987, ("GEC",)),
        ("It said <GECL.L> won an order.", 2005, ()),
        ("General Electric Co said it won an order.", 1987, ("General Electric",)),
    ],
)
def test_a_ticker_names_the_company_that_held_it_then(text, year, expected):
    assert CompanyExtractor().extract(text, year=year) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("EV makers and electric cars", ("Electric vehicles",)),
        ("EVs", ("Electric vehicles",)),
        # acronyms match as written: not inside words, not in other case
        ("The event at Ev Corp, with Ai Weiwei", ()),
        ("lithium ion cells and Li-ion packs", ("Lithium-ion batteries",)),
        ("all-solid-state cells", ("Solid-state batteries",)),
        # plurals and inflections match on stems
        ("smart cities and a smart city", ("Smart cities",)),
        # a parent is left out when a child is found
        ("EV batteries built with lithium-ion chemistry", ("Electric vehicles", "Lithium-ion batteries")),
        ("battery packs for buses", ("Batteries",)),
        ("Windows XP on PCs", ("Operating systems", "Personal computers")),
        # a company described by its industry in the lead sells it; deep in a long body it is a passing word
        ("Deal agreed\nPharmaceutical giant Acme agreed to buy Widgets.", ("Pharmaceuticals",)),
        ("Deal agreed\nAcme agreed to buy Widgets.\n\n" + "Widgets sell. " * 70 + "A pharmaceutical group sells.", ()),
        ("", ()),
    ],
)
def test_extract_technologies(text, expected):
    assert tuple(sorted(extract_technologies(text))) == tuple(sorted(expected))


LONG_BODY = "\nThe lead.\n\n" + "Widgets sell. " * 70 + "\n\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        # one mention deep in a long article is a passing word...
        ("Deal agreed" + LONG_BODY + "Search engines find pages.", ()),
        # ...unless the article keeps using the technology's cue words
        ("Deal agreed" + LONG_BODY + "Search engines find pages. We search, search, search.", ("Search engines",)),
        ("Deal agreed" + LONG_BODY + "A DVD player. DVD sales, DVD discs, DVD fans.", ("Consumer electronics",)),
        # cue words alone never name a technology
        ("Deal agreed" + LONG_BODY + "Users search and search, and search.", ()),
        # cue words that match as written: "added" is not "ads", "refinance" is not refining
        ("Deal agreed" + LONG_BODY + "Online ads. It added, added and added.", ()),
        ("Debt plan\nThe company will refinance its debt.", ()),
        ("Forests\nBiological disasters loom.", ()),
    ],
)
def test_cue_words_confirm_a_single_mention(text, expected):
    assert extract_technologies(text) == expected


def test_taxonomy_cues_are_read():
    taxonomy = parse_taxonomy("canonical\tparent\tsynonyms\tcues\nSearch engines\t\tsearch engine\tsearch | query\n")
    assert taxonomy.technologies["Search engines"].cues == ("search", "query")


def test_taxonomy_covers_the_vocabulary_and_has_parents():
    taxonomy = load_taxonomy()
    assert len(taxonomy.technologies) >= 58
    assert taxonomy.ancestors("Solid-state batteries") == ("Batteries",)
    assert taxonomy.with_ancestors(("Lithium-ion batteries", "5G")) == (
        "Lithium-ion batteries",
        "Batteries",
        "5G",
        "Telecommunications",
    )


def test_taxonomy_covers_the_labelling_vocabulary():
    vocabulary = SHARED / "eval" / "technologies.tsv"
    if not vocabulary.is_file():
        pytest.skip(f"labelling vocabulary not found at {vocabulary} (../shared is absent)")
    names = {line.split("\t")[0] for line in vocabulary.read_text("utf-8").splitlines()[1:] if line.strip()}
    assert names - set(load_taxonomy().technologies) == set()


@pytest.mark.parametrize(
    "text, message",
    [
        ("canonical\tparent\tsynonyms\nOnly two\tcolumns\n", "expected 3 or 4 tab-separated columns"),
        ("canonical\tparent\tsynonyms\tcues\nFive\t\tx\ty\tz\n", "expected 3 or 4 tab-separated columns"),
        ("canonical\tparent\tsynonyms\nChild\tMissing\tx\n", "unknown parent 'Missing'"),
    ],
)
def test_bad_taxonomy(text, message):
    with pytest.raises(match=message):
        parse_taxonomy(text)
