#!/usr/bin/env python3
"""Chat template fixtures (Tests/Fixtures/tokenizers/chat_templates.json), rendered by transformers'
apply_chat_template (jinja2 with trim_blocks and lstrip_blocks), pinned as in requirements-decoder.txt.

    .venv-ref/bin/python tools/reference/make_chat_template_fixtures.py [--shared ../shared]

Templates: Tina's two built-ins (same text as Sources/TinaTokenizers/ChatTemplate.swift), SmolLM2's GGUF
template, a ChatML and a Llama-3 style template, and a feature template that exercises the Jinja subset.
Every template is rendered on several conversations with the generation prompt on and off, using the
DeepSeek-R1 tokenizer for bos_token/eos_token.
"""
import argparse
import json
import os

from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "tokenizers")

TEMPLATES = {
    "deepseek-r1-early": (
        "{% set ns = namespace(system_prompt='') %}{% for message in messages %}{% if message['role'] == 'system' %}"
        "{% set ns.system_prompt = message['content'] %}{% endif %}{% endfor %}{{ bos_token }}{{ ns.system_prompt }}"
        "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
        "{% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}"
        "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜>' }}{% endif %}"),
    "deepseek-r1": (
        "{% set ns = namespace(system_prompt='', first=true) %}{% for message in messages %}{% if message['role'] == 'system' %}"
        "{% if ns.first %}{% set ns.system_prompt = message['content'] %}{% set ns.first = false %}"
        "{% else %}{% set ns.system_prompt = ns.system_prompt + '\\n\\n' + message['content'] %}{% endif %}{% endif %}{% endfor %}"
        "{{ bos_token }}{{ ns.system_prompt }}{% for message in messages %}{% if message['role'] == 'user' %}"
        "{{ '<｜User｜>' + message['content'] }}{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}"
        "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
        "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{% endif %}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}"),
    "chatml": (
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
        "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"),
    "llama3": """{{- bos_token }}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{%- if system_message %}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" + system_message + "<|eot_id|>" }}
{%- endif %}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
""",
    "features": """{# exercises the Jinja subset #}
{% set ns = namespace(count=0, roles=[]) %}
{% for m in messages if m.role != 'tool' %}
  {% set ns.count = ns.count + 1 %}
  [{{ loop.index }}/{{ loop.length }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}] {{ m['role'] | upper }}:
  {{ m.content.strip() | trim }} ({{ m.content | length }} chars, {{ m.content.split() | length }} words)
  {%- if m.content.startswith('What') %} starts-with-What{% endif %}
  {%- if m.content.endswith('?') %} question{% endif %}
  {%- if '</think>' in m.content %} after-think={{ m.content.split('</think>')[-1].lstrip() | tojson }}{% endif %}

{% endfor %}
total={{ ns.count }} last2={{ messages[-2:] | map(attribute='role') | join(',') }} missing={{ messages[0].tools is defined }}
json={{ {'n': ns.count, 'ok': true, 'pi': 3.5, 'none': none, 's': "a\\"b"} | tojson }}
{{ 'x' ~ 7 ~ 'y' }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ -3 if ns.count > 1 else 3 }} {{ [1, 2, 3][1:] }} {{ 'abc'[::-1] }}
{% if add_generation_prompt %}GEN{% else %}NOGEN{% endif %}
""",
}

CONVERSATIONS = {
    "user": [{"role": "user", "content": "What is 2+2?"}],
    "system_user": [{"role": "system", "content": "You are a careful mathematician."},
                    {"role": "user", "content": "Compute $\\frac{1}{2} + \\frac{1}{3}$."}],
    "multi_turn": [{"role": "system", "content": "\nBe brief.\n"},
                   {"role": "user", "content": "What is 3*4?"},
                   {"role": "assistant", "content": "<think>\n3*4 = 12\n</think>\nThe answer is \\boxed{12}."},
                   {"role": "user", "content": "  And 5*6?  "}],
    "unicode_newlines": [{"role": "user", "content": "Héllo 世界 😀\n\nline two\ttab"},
                         {"role": "assistant", "content": "Ok."},
                         {"role": "user", "content": "Thanks!"}],
    "two_systems": [{"role": "system", "content": "First."}, {"role": "system", "content": "Second."},
                    {"role": "user", "content": "Hi"}],
}

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    args = parser.parse_args()
    r1 = AutoTokenizer.from_pretrained(os.path.join(args.shared, "models", "deepseek-r1-distill-qwen-1.5b"))
    smol = AutoTokenizer.from_pretrained(os.path.join(args.shared, "models", "smollm2-135m-instruct"), gguf_file=SMOLLM2_GGUF)
    templates = dict(TEMPLATES)
    templates["smollm2-gguf"] = smol.chat_template
    renders = []
    for name, template in templates.items():
        for conv_name, conv in CONVERSATIONS.items():
            for gen in (True, False):
                text = r1.apply_chat_template(conv, chat_template=template, tokenize=False, add_generation_prompt=gen)
                renders.append({"template": name, "conversation": conv_name, "add_generation_prompt": gen, "text": text})
    out = {"bos_token": r1.bos_token, "eos_token": r1.eos_token, "templates": templates,
           "conversations": {k: json.dumps(v, ensure_ascii=False) for k, v in CONVERSATIONS.items()}, "renders": renders}
    with open(os.path.join(ROOT, "chat_templates.json"), "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(len(renders), "renders written")
