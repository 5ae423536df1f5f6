"""Forms of the plan book's chapters: they check what was typed (the markup
through plans.prose) and give the operation for projects.authoring."""

from django import forms

from plans import prose
from plans.chapters import BODY_MAX, NUMBER_MAX, TITLE_MAX


def _no_html(value: str) -> str:
    if prose.problems(value):
        raise forms.ValidationError(prose.HTML_MESSAGE)
    return value


class ChapterFieldsForm(forms.Form):
    number = forms.CharField(label="章番号", max_length=NUMBER_MAX, required=False,
                             help_text="計画書の表記どおり(例:第1章)。はじめに・用語解説集などは空欄。")
    title = forms.CharField(label="章の題名", max_length=TITLE_MAX)

    def clean_number(self):
        return _no_html(self.cleaned_data["number"].strip())

    def clean_title(self):
        return _no_html(self.cleaned_data["title"].strip())


class AddChapterForm(ChapterFieldsForm):
    position = forms.IntegerField(label="何番目に置くか", required=False, min_value=1,
                                  help_text="空欄なら最後に置きます。")

    def operation(self) -> dict:
        return {"op": "add_chapter", **self.cleaned_data}


class ChapterForm(ChapterFieldsForm):
    body = forms.CharField(
        label="本文", required=False, max_length=BODY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "chapter-body"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        try:
            prose.validate(body)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return body

    def operation(self, chapter) -> dict:
        data = self.cleaned_data
        return {"op": "edit_chapter", "chapter": chapter.pk, "number": data["number"], "title": data["title"],
                "body": data["body"], "version": data["version"]}


class StepChapterForm(forms.Form):
    chapter = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", "上へ"), ("down", "下へ")])

    def operation(self, position: int) -> dict:
        step = -1 if self.cleaned_data["direction"] == "up" else 1
        return {"op": "move_chapter", "chapter": self.cleaned_data["chapter"], "position": max(1, position + step)}


class DeleteChapterForm(forms.Form):
    chapter = forms.IntegerField(widget=forms.HiddenInput)

    def operation(self) -> dict:
        return {"op": "delete_chapter", "chapter": self.cleaned_data["chapter"]}
