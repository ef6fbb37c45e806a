#!/usr/bin/env python3
"""Generate a jianbao benchmark site: N reports across U units with real
Chinese text from ../shared/seeds/, 2-6 metrics and 1-4 tags each, and M
articles. Deterministic for a given seed.

usage: gen_corpus.py OUT_DIR [--reports N] [--units U] [--articles M] [--seed S]
"""
import argparse
import os
import random
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "..", "..", "shared", "seeds")

METRICS = [
    ("banners", "横幅", "条", "sum"),
    ("slogans", "固定标语", "条", "sum"),
    ("boards", "宣传展板", "个", "sum"),
    ("leaflets", "宣传资料", "份", "sum"),
    ("seedlings", "栽植苗木", "株", "sum"),
    ("garbage", "清理垃圾", "吨", "sum"),
    ("posters", "清理乱贴乱画", "处", "sum"),
    ("funds", "投入资金", "元", "sum"),
    ("participants", "参与人次", "人次", "sum"),
    ("awareness", "健康知识知晓率", "%", "avg"),
    ("students", "在校学生", "人", "latest"),
    ("peak", "单次最多参与", "人", "max"),
]
TAGS = ["宣传教育", "环境整治", "病媒生物防制", "健康教育", "门前五包", "长效机制", "学校卫生",
        "城乡结合部", "农贸市场", "控烟", "饮水卫生", "志愿服务", "背街小巷", "除四害"]
TYPES = ["乡镇", "街道", "社区", "学校", "机关", "企业"]
SUFFIX = {"乡镇": "镇", "街道": "街道", "社区": "社区", "学校": "小学", "机关": "局", "企业": "公司"}
PLACES = "陶乐 红崖 黄渠 通伏 姚伏 崇岗 头闸 宝丰 高庄 灵沙 渠口 高仁 城关 燕子墩 庙庙湖 王家庄 东街 西街 南街 北街 和平 大和 长安 文化 团结 友谊 光明 幸福 新华 建设".split()
CATEGORIES = ["传染病防治", "病媒生物防制", "控烟", "饮水卫生", "环境卫生"]


def paragraphs():
    paras = []
    for name in sorted(os.listdir(SEEDS)):
        with open(os.path.join(SEEDS, name), encoding="utf-8") as f:
            for line in f:
                line = line.strip().lstrip(">").strip()
                if len(line) >= 30 and not line.startswith("http"):
                    paras.append(line)
    return paras


def figure(rng, metric):
    mid = metric[0]
    if mid == "awareness":
        return str(rng.randint(80, 100))
    if mid == "students":
        return str(rng.randint(300, 2500))
    v = rng.choice([rng.randint(1, 99), rng.randint(100, 9999), rng.randint(10000, 500000)])
    form = rng.random()
    if form < 0.15:
        return f'"{v}多"'
    if form < 0.25:
        return f'"{v}余"'
    if form < 0.32 and v >= 10000:
        return f'"{round(v / 10000, 1)}万"'
    if form < 0.38:
        return f"{v}.{rng.randint(0, 99):02d}"
    return str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--reports", type=int, default=10000)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    paras = paragraphs()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    for d in ("content/reports", "content/articles", "content/units", "content/pages"):
        os.makedirs(os.path.join(a.out, d))
    with open(os.path.join(a.out, "site.yaml"), "w", encoding="utf-8") as f:
        f.write("title: 基准测试门户\nbase_url: https://www.example.gov.cn/cw/\npaginate: 20\nmetrics:\n")
        for mid, label, unit, agg in METRICS:
            f.write(f"  - id: {mid}\n    label: {label}\n    unit: \"{unit}\"\n    aggregate: {agg}\n")
    units = []
    for i in range(a.units):
        kind = TYPES[i % len(TYPES)]
        name = f"{PLACES[i % len(PLACES)]}{SUFFIX[kind]}{i // len(PLACES) + 1 if i >= len(PLACES) else ''}"
        uid = f"u{i:04d}"
        units.append((uid, name))
        with open(os.path.join(a.out, "content/units", uid + ".md"), "w", encoding="utf-8") as f:
            f.write(f"---\nname: {name}\ntype: {kind}\nparent: 平罗县\norder: {i}\n---\n{rng.choice(paras)}\n")
    for i in range(a.reports):
        uid, name = units[i % len(units)]
        year = 2016 + (i * 7) % 9
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        date = f"{year}-{month:02d}-{day:02d}" if i % 3 else f"{year}年{month}月{day}日"
        ms = rng.sample(METRICS, rng.randint(2, 6))
        tags = rng.sample(TAGS, rng.randint(1, 4))
        body = []
        for s, title in enumerate(["一、主要工作", "二、存在问题", "三、下步打算"]):
            body.append(f"## {title}\n")
            for _ in range(rng.randint(2, 5)):
                body.append(rng.choice(paras) + "\n")
        stats = "".join(f"  {m[1] if rng.random() < 0.5 else m[0]}: {figure(rng, m)}\n" for m in ms)
        yd = os.path.join(a.out, "content/reports", str(year))
        os.makedirs(yd, exist_ok=True)
        with open(os.path.join(yd, f"r{i:06d}.md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: {name}{year}年创卫工作总结（{i}）\nunit: {uid}\ndate: {date}\n"
                    f"tags: [{', '.join(tags)}]\nstats:\n{stats}source: {name}\n---\n" + "\n".join(body))
    for i in range(a.articles):
        cat = CATEGORIES[i % len(CATEGORIES)]
        with open(os.path.join(a.out, "content/articles", f"a{i:05d}.md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: 健康教育第{i}期：{cat}\ndate: 2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}\ncategory: {cat}\n"
                    f"tags: [{rng.choice(TAGS)}]\n---\n" + "\n\n".join(rng.sample(paras, 3)) + "\n")
    with open(os.path.join(a.out, "content/pages/about.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: 关于本站\nslug: about\n---\n基准测试站点。\n")


if __name__ == "__main__":
    main()
