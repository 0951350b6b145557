"""The audit log reads in words and links each event to what it is about."""


def test_events_are_named_in_words_and_link_to_their_subject(client, make, sign_in):
    dataset = make.dataset(title="Street Trees")
    sign_in(make.user("auditor"))
    html = client.get("/audit").get_data(as_text=True)
    assert "Dataset registered" in html
    assert f'href="/datasets/{dataset.identifier}"' in html
