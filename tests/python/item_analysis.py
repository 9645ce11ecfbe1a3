#!/usr/bin/env python3
"""Item analysis of quiz attempts, written apart from the Rust code with Python's `statistics` module only,
so that `core/tests/quiz_statistics.rs` can check every figure of `daotao_core::assessment::statistics`
against an independent computation (issue #19).

Reads JSON on stdin: {"attempts": [{"answers": [{"question": id, "mark": 0..1, "picked": [...],
"offered": [...], "right": [...]} or without the three lists for a question that is not a choice]}]};
every question is worth one mark. Writes JSON on stdout: {"quiz": {...}, "questions": {id: {...}}}, an
undefined figure as null. The definitions are Moodle's quiz statistics (docs.moodle.org/dev/
Quiz_statistics_calculations): percent scores of the attempt, sample (n - 1) variances.
"""

import json
import math
import statistics
import sys


def sample_variance(values):
    return statistics.variance(values) if len(values) >= 2 else None


def main():
    attempts = json.load(sys.stdin)["attempts"]
    totals = []
    rows = {}  # question -> list of (points, rest, mark, answer)
    order = []
    for attempt in attempts:
        count = len(attempt["answers"])
        total = 100.0 * sum(a["mark"] for a in attempt["answers"]) / count
        totals.append(total)
        for answer in attempt["answers"]:
            points = 100.0 * answer["mark"] / count
            if answer["question"] not in rows:
                rows[answer["question"]] = []
                order.append(answer["question"])
            rows[answer["question"]].append((points, total - points, answer["mark"], answer))

    n = len(totals)
    variance_total = sample_variance(totals)
    sd = math.sqrt(variance_total) if variance_total is not None else None
    alpha = None
    if n >= 3 and len(order) >= 2 and variance_total:
        item_variances = [sample_variance([r[0] for r in rows[q]]) for q in order]
        p = len(order)
        alpha = 100.0 * p / (p - 1) * (1 - sum(v for v in item_variances if v is not None) / variance_total)
    error_ratio = 100.0 * math.sqrt(1 - alpha / 100.0) if alpha is not None and alpha <= 100.0 else None
    quiz = {
        "attempts": n,
        "mean": statistics.mean(totals) if totals else None,
        "median": statistics.median(totals) if totals else None,
        "sd": sd,
        "cronbach_alpha": alpha,
        "error_ratio": error_ratio,
        "standard_error": error_ratio / 100.0 * sd if error_ratio is not None and sd is not None else None,
    }

    questions = {}
    for q in order:
        x = [r[0] for r in rows[q]]
        y = [r[1] for r in rows[q]]
        marks = [100.0 * r[2] for r in rows[q]]
        facility = statistics.mean(marks)
        question_sd = statistics.stdev(marks) if len(marks) >= 2 else None
        index = efficiency = None
        if len(x) >= 2 and len(set(x)) > 1 and len(set(y)) > 1:
            index = 100.0 * statistics.correlation(x, y)
        if len(x) >= 2:
            best = statistics.covariance(sorted(x), sorted(y)) if len(set(x)) > 1 and len(set(y)) > 1 else 0.0
            if best > 0:
                efficiency = 100.0 * statistics.covariance(x, y) / best
        choices = [r[3] for r in rows[q] if "offered" in r[3]]
        options = {}
        for c in choices:
            for option in c["offered"]:
                options.setdefault(option, [0, False])
            for option in c["right"]:
                options.setdefault(option, [0, False])[1] = True
            for option in c["picked"]:
                options.setdefault(option, [0, False])[0] += 1
        flags = []
        if facility > 90:
            flags.append("too_easy")
        elif facility < 20:
            flags.append("too_hard")
        constant = len(x) >= 2 and len(set(x)) == 1
        if len(x) >= 30 and ((index is not None and index < 10) or constant):
            flags.append("low_discrimination")
        if choices:
            rests = sorted((r[1] for r in rows[q] if "offered" in r[3]), reverse=True)
            cut = rests[math.ceil(len(rests) / 3) - 1]
            strong = {}
            for r in rows[q]:
                if "offered" in r[3] and r[1] >= cut:
                    for option in r[3]["picked"]:
                        strong[option] = strong.get(option, 0) + 1
            best_right = max((strong.get(o, 0) for o, (_, right) in options.items() if right), default=0)
            for option in sorted(options):
                if not options[option][1] and strong.get(option, 0) > best_right:
                    flags.append("likely_wrong_key:" + option)
        questions[q] = {
            "asked": len(x),
            "facility": facility,
            "sd": question_sd,
            "discrimination_index": index,
            "discriminative_efficiency": efficiency,
            "options": {o: {"picked": v[0], "right": v[1]} for o, v in options.items()},
            "flags": flags,
        }
    json.dump({"quiz": quiz, "questions": questions}, sys.stdout)


if __name__ == "__main__":
    main()
