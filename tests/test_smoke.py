def test_home_answers(client):
    assert client.get("/").status_code == 200


def test_rollback_isolates_tests_first(make):
    make.department(code="ISO")


def test_rollback_isolates_tests_second(make):
    make.department(code="ISO")
