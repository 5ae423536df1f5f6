"""The CHECK constraints full_clean() evaluates in Python (core.constraints) give
the database's answer, for every CHECK constraint of the project's models."""

from decimal import Decimal
from itertools import product

import pytest
from django.apps import apps
from django.db.models import CheckConstraint, Q

from core.constraints import PythonChecks, Unsupported, evaluate

SAMPLES = {  # per field type: values around the constants the constraints compare with
    "PositiveSmallIntegerField": [None, 0, 1, 10, 11, 2016, 2020],
    "PositiveIntegerField": [None, 0, 1, 10, 11],
    "DecimalField": [None, Decimal("-0.01"), Decimal(0), Decimal("12.5")],
    "ForeignKey": [None, 1, 2],
    "OneToOneField": [None, 1, 2],
    "BigAutoField": [1, 2],
    "AutoField": [1, 2],
    "BooleanField": [False, True],
    "TextField": ["", "理由"],
}


def samples(field):
    """The field type's samples, and None when the column may be null."""
    values = SAMPLES[field.get_internal_type()]
    return [None, *values] if field.null and None not in values else values


def checks():
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint) and issubclass(model, PythonChecks):
                yield pytest.param(model, constraint, id=constraint.name)


def fields_of(condition: Q):
    for child in condition.children:
        if isinstance(child, Q):
            yield from fields_of(child)
        else:
            lookup, value = child
            yield lookup.split("__")[0]
            if hasattr(value, "name"):
                yield value.name


@pytest.mark.django_db
@pytest.mark.parametrize("model, constraint", list(checks()))
def test_python_evaluation_agrees_with_the_database(model, constraint):
    names = sorted(set(fields_of(constraint.condition)))
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in names]
    for values in product(*(samples(field) for field in fields)):
        instance = model(**{field.attname: value for field, value in zip(fields, values)})
        try:
            ours = evaluate(constraint.condition, instance)
        except Unsupported:
            pytest.fail(f"{constraint.name} is validated by a query")
        against = instance._get_field_expression_map(meta=model._meta)  # what Django's own validate() asks
        assert (ours is not False) == Q(constraint.condition).check(against), (constraint.name, values)


@pytest.mark.django_db
def test_a_violated_check_is_a_validation_error_without_a_query(django_assert_num_queries):
    from django.core.exceptions import ValidationError

    from governance.models import IndicatorResult

    result = IndicatorResult(actual=Decimal("-1"))
    with django_assert_num_queries(0), pytest.raises(ValidationError) as error:
        result.validate_constraints(exclude={"report", "indicator"})
    assert list(error.value.message_dict) == ["__all__"]
    assert "result_not_negative" in error.value.messages[0]
