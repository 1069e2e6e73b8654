#!/usr/bin/env python3
"""Eval prompt fixtures (Tests/Fixtures/eval/prompts.json): a few benchmark problems rendered as lighteval renders
them for Tina (tina-digest.md 5.1) with the real DeepSeek-R1-Distill-Qwen-1.5B tokenizer and transformers'
apply_chat_template.

    /work/venv/bin/python tools/reference/make_eval_prompt_fixtures.py [--shared ../shared]

- The query is open-r1/lighteval's MATH_QUERY_TEMPLATE, written here as Python source (`{{ANSWER}}` escaped,
  `.strip()`, `.format(Question=...)`), so the Swift text is checked against the original recipe, not a copy of it.
- Messages: the query as the only user message, no system prompt; add_generation_prompt=True.
- Chat template: the official DeepSeek-R1-Distill template (tokenizer_config.json of the current HF revision).
  The shared tokenizer folder is a reconstruction without a chat template, so the template text is given here.
- `ids`: the rendered text encoded with add_special_tokens=False (the template writes BOS itself);
  `ids_lighteval`: with add_special_tokens=True, as lighteval's vLLM path encodes it (a second BOS).
"""
import argparse
import json
import os

from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")

MATH_QUERY_TEMPLATE = """
Solve the following math problem efficiently and clearly.  The last line of your response should be of the following format: 'Therefore, the final answer is: $\\boxed{{ANSWER}}$. I hope it is correct' (without quotes) where ANSWER is just the final number or expression that solves the problem. Think step by step before answering.

{Question}
""".strip()

DEEPSEEK_R1_DISTILL_TEMPLATE = (
    "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
    "{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}"
    "{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}"
    "{%- endif %}{%- endfor %}{{bos_token}}{{ns.system_prompt}}{%- for message in messages %}"
    "{%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}"
    "{%- if message['role'] == 'assistant' and message['content'] is none %}{%- set ns.is_tool = false -%}"
    "{%- for tool in message['tool_calls']%}{%- if not ns.is_first %}{{'<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\\n' + '```json' + '\\n' + tool['function']['arguments'] + '\\n' + '```' + '<｜tool▁call▁end｜>'}}"
    "{%- set ns.is_first = true -%}{%- else %}{{'\\n' + '<｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\\n' + '```json' + '\\n' + tool['function']['arguments'] + '\\n' + '```' + '<｜tool▁call▁end｜>'}}"
    "{{'<｜tool▁calls▁end｜><｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor %}{%- endif %}"
    "{%- if message['role'] == 'assistant' and message['content'] is not none %}{%- if ns.is_tool %}"
    "{{'<｜tool▁outputs▁end｜>' + message['content'] + '<｜end▁of▁sentence｜>'}}{%- set ns.is_tool = false -%}"
    "{%- else %}{% set content = message['content'] %}{% if '</think>' in content %}"
    "{% set content = content.split('</think>')[-1] %}{% endif %}"
    "{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endif %}"
    "{%- if message['role'] == 'tool' %}{%- set ns.is_tool = true -%}{%- if ns.is_output_first %}"
    "{{'<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>'}}"
    "{%- set ns.is_output_first = false %}{%- else %}{{'\\n<｜tool▁output▁begin｜>' + message['content'] + '<｜tool▁output▁end｜>'}}"
    "{%- endif %}{%- endif %}{%- endfor -%}{% if ns.is_tool %}{{'<｜tool▁outputs▁end｜>'}}{% endif %}"
    "{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\\n'}}{% endif %}"
)

# (benchmark file, 0-based record index): short and long problems, TABs (MATH-500), LaTeX-heavy Minerva,
# OlympiadBench text with non-ASCII characters, an AIME 2025 problem with [asy] code.
PICKS = [("aime2024", 0), ("aime2025", 1), ("amc2023", 3), ("math500", 0), ("math500", 17), ("minerva_math", 5),
         ("olympiadbench", 283)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    args = parser.parse_args()
    tokenizer = AutoTokenizer.from_pretrained(os.path.join(args.shared, "models", "deepseek-r1-distill-qwen-1.5b"))
    cases = []
    for name, index in PICKS:
        with open(os.path.join(ROOT, "data", name + ".jsonl"), encoding="utf-8") as f:
            record = json.loads([line for line in f if line.strip()][index])
        query = MATH_QUERY_TEMPLATE.format(Question=record["problem"])
        messages = [{"role": "user", "content": query}]
        text = tokenizer.apply_chat_template(messages, chat_template=DEEPSEEK_R1_DISTILL_TEMPLATE, tokenize=False,
                                             add_generation_prompt=True)
        cases.append({
            "file": name, "index": index, "id": record["id"], "problem": record["problem"], "query": query, "text": text,
            "ids": tokenizer(text, add_special_tokens=False)["input_ids"],
            "ids_lighteval": tokenizer(text, add_special_tokens=True)["input_ids"],
        })
    out = os.path.join(ROOT, "Tests", "Fixtures", "eval", "prompts.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"template": DEEPSEEK_R1_DISTILL_TEMPLATE, "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
