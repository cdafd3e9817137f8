"""Rest.li 2.0 encoding: round trips under hypothesis, and the seed's exact examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkedin.restli import (
    build_query,
    decode_path_key,
    decode_query,
    decode_query_value,
    decode_reduced,
    encode_list,
    encode_path_key,
    encode_query_value,
    encode_record,
    encode_reduced,
    request_urn,
    split_request_urn,
)

SEED_URN = "urn:li:recommendationRequest:(urn:li:person:123ABC,123456)"
SEED_URN_2 = "urn:li:recommendationRequest:(urn:li:person:123ABC,456789)"
SEED_PATH_KEY = "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C123456%29"
SEED_IDS_QUERY = (
    "ids=List(urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C123456%29,"
    "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C456789%29)"
)

# Text biased towards what breaks Rest.li encoders: its reserved characters, the escape
# character itself, URL delimiters, the List keyword, and any unicode (no lone surrogates,
# which cannot be UTF-8 encoded at all).
_tricky = st.sampled_from(list("():,'%&=+?#/ ") + ["List(", "''", "%28", "é", "漢", "🙂"])
text = st.lists(st.one_of(_tricky, st.characters(exclude_categories=["Cs"])), max_size=12).map(
    "".join
)
urns = st.builds(
    lambda kind, ident: f"urn:li:{kind}:{ident}",
    st.sampled_from(["person", "seat", "contract", "position"]),
    text,
)
nested_urns = st.builds(lambda inner, n: f"urn:li:position:({inner},{n})", urns, st.integers(0))
scalars = st.one_of(text, urns, nested_urns)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)
    ),
    max_leaves=12,
)

# The machine is shared with servers and other suites; timing is not what these tests check.
no_deadline = settings(deadline=None)

# What may never appear literally in an encoded scalar inside a query string.
_QUERY_UNSAFE = set("():,'&=+?# /")


@no_deadline
@given(values)
def test_query_values_round_trip(value):
    assert decode_query_value(encode_query_value(value)) == value


@no_deadline
@given(scalars)
def test_encoded_scalar_is_safe_in_a_query_string(value):
    encoded = encode_query_value(value)
    assert not _QUERY_UNSAFE & set(encoded) or encoded == "''"
    assert encoded.isascii()


@no_deadline
@given(st.lists(scalars, max_size=6))
def test_lists_round_trip(items):
    encoded = encode_list(items)
    assert encoded.startswith("List(") and encoded.endswith(")")
    assert decode_query_value(encoded) == items


@no_deadline
@given(st.dictionaries(text, values, max_size=5))
def test_records_round_trip(record):
    encoded = encode_record(record)
    assert encoded.startswith("(") and encoded.endswith(")")
    assert decode_query_value(encoded) == record


@no_deadline
@given(scalars)
def test_path_keys_round_trip_and_escape_all_structure(key):
    encoded = encode_path_key(key)
    assert decode_path_key(encoded) == key
    assert not set("():,'/?#") & set(encoded)


@no_deadline
@given(values)
def test_reduced_form_round_trips(value):
    assert decode_reduced(encode_reduced(value)) == value


@no_deadline
@given(scalars)
def test_reduced_form_also_decodes_the_fully_encoded_form(value):
    assert decode_reduced(encode_path_key(value)) == value


@no_deadline
@given(st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True), values))
def test_whole_query_round_trips(params):
    assert decode_query(build_query(params)) == params


@no_deadline
@given(st.one_of(urns, nested_urns), st.integers(min_value=0, max_value=2**63))
def test_request_urn_splits_back(requester, request_id):
    urn = request_urn(requester, request_id)
    assert urn.startswith("urn:li:recommendationRequest:(")
    assert split_request_urn(urn) == (requester, request_id)


def test_seed_path_key():
    assert encode_path_key(SEED_URN) == SEED_PATH_KEY
    assert decode_path_key(SEED_PATH_KEY) == SEED_URN


def test_seed_batch_get_ids():
    assert build_query({"ids": [SEED_URN, SEED_URN_2]}) == SEED_IDS_QUERY
    assert decode_query(SEED_IDS_QUERY) == {"ids": [SEED_URN, SEED_URN_2]}


def test_seed_finder_queries():
    assert (
        build_query({"q": "recipient", "statusFilters": ["ACCEPTED", "PENDING"]})
        == "q=recipient&statusFilters=List(ACCEPTED,PENDING)"
    )
    assert build_query(
        {
            "q": "criteria",
            "contract": "urn:li:contract:1234567",
            "owners": ["urn:li:seat:123456789"],
            "beforeDate": 1489192513000,
            "cutoffDate": None,
            "start": 0,
            "count": 5,
        }
    ) == (
        "q=criteria&contract=urn%3Ali%3Acontract%3A1234567&owners=List(urn%3Ali%3Aseat%3A123456789)"
        "&beforeDate=1489192513000&start=0&count=5"
    )


def test_seed_restli_id_header_in_both_forms():
    assert request_urn("urn:li:person:123ABC", 123456) == SEED_URN
    assert decode_reduced(SEED_URN) == SEED_URN
    assert decode_reduced(SEED_PATH_KEY) == SEED_URN
    assert encode_reduced(SEED_URN) == SEED_PATH_KEY
    assert split_request_urn(SEED_URN) == ("urn:li:person:123ABC", 123456)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("", "''"),
        ([], "List()"),
        ([""], "List('')"),
        ({}, "()"),
        ({"a": "1", "b": ["x", "y z"]}, "(a:1,b:List(x,y%20z))"),
        ([{"k": ""}], "List((k:''))"),
        (True, "true"),
        (42, "42"),
        ("it's", "it%27s"),
    ],
)
def test_exact_encodings(value, encoded):
    assert encode_query_value(value) == encoded


def test_reduced_form_escapes_only_structure():
    assert encode_reduced("a b/é,(x):'%") == "a b/é%2C%28x%29%3A%27%25"
    assert encode_reduced(["urn:li:seat:1", ""]) == "List(urn%3Ali%3Aseat%3A1,'')"


def test_numbers_come_back_as_strings():
    # The wire carries no types: the caller converts.
    assert decode_query_value(encode_query_value(5)) == "5"


@pytest.mark.parametrize(
    "bad",
    ["List(a,b", "List(a(b))", "(a)", "(a:1", "List(a,,b)", "List(a)x", "(a:b:c)", "List(it's)"],
)
def test_malformed_structures_raise(bad):
    with pytest.raises(ValueError, match="malformed Rest.li value"):
        decode_query_value(bad)


def test_bare_scalar_is_read_leniently():
    # The seed's pretty-printed requests leave URNs unescaped; they still mean the URN.
    assert decode_query_value("urn:li:contract:1234567") == "urn:li:contract:1234567"


def test_unencodable_value_raises_type_error():
    with pytest.raises(TypeError):
        encode_query_value(None)
    with pytest.raises(TypeError):
        encode_query_value(b"bytes")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "urn:li:recommendationRequest:urn:li:person:1,2",
        "urn:li:recommendationRequest:(urn:li:person:123ABC)",
        "urn:li:recommendationRequest:(urn:li:person:123ABC,abc)",
        "urn:li:recommendationRequest:(urn:li:person:123ABC,-4)",
        "urn:li:recommendationRequest:(urn:li:person:123ABC,١٢)",
        "urn:li:recommendationRequest:(,12)",
        "urn:li:recommendationRequest:(urn:li:person:123ABC,12",
        "urn:li:somethingElse:(urn:li:person:123ABC,12)",
        SEED_PATH_KEY,
    ],
)
def test_split_request_urn_rejects_malformed(bad):
    with pytest.raises(ValueError, match="not a recommendation request URN"):
        split_request_urn(bad)


@pytest.mark.parametrize(
    ("requester", "request_id"), [("", 1), ("urn:li:person:a", -1), ("x", True)]
)
def test_request_urn_rejects_bad_parts(requester, request_id):
    with pytest.raises(ValueError):
        request_urn(requester, request_id)


def test_request_urn_accepts_digit_strings():
    assert request_urn("urn:li:person:123ABC", "123456") == SEED_URN
