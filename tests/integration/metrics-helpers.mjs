// Scraping /metrics and a strict parser of the Prometheus text exposition format (0.0.4), as a
// scraper reads it: every line a HELP, a TYPE or a sample; TYPE before a family's samples, once;
// samples of one family together; label values escaped; no sample twice; counters named _total;
// histogram buckets cumulative up to le="+Inf", which equals _count. A violation throws, naming
// the line.
import assert from "node:assert/strict";
import { rawRequest } from "./helpers.mjs";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text, where) {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  assert.match(text, /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/, `${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

// `{a="x",b="y"}` starting at text[i] === "{": returns [labels, index after "}"].
function parseLabels(text, i, where) {
  const labels = {};
  i += 1;
  if (text[i] === "}") return [labels, i + 1];
  for (;;) {
    const eq = text.indexOf("=", i);
    assert.ok(eq > i, `${where}: label without '='`);
    const name = text.slice(i, eq);
    assert.match(name, LABEL_NAME, `${where}: bad label name ${JSON.stringify(name)}`);
    assert.equal(text[eq + 1], '"', `${where}: label value not quoted`);
    let value = "";
    let j = eq + 2;
    for (;; j++) {
      assert.ok(j < text.length, `${where}: unterminated label value`);
      const c = text[j];
      if (c === "\\") {
        const next = text[++j];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else assert.fail(`${where}: bad escape \\${next}`);
      } else if (c === '"') {
        break;
      } else {
        assert.notEqual(c, "\n", `${where}: newline in a label value`);
        value += c;
      }
    }
    assert.ok(!(name in labels), `${where}: label ${name} twice`);
    labels[name] = value;
    j += 1;
    if (text[j] === ",") {
      i = j + 1;
      continue;
    }
    assert.equal(text[j], "}", `${where}: expected ',' or '}' after a label`);
    return [labels, j + 1];
  }
}

const familyOf = (name, families) => {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === "histogram") return base;
    }
  }
  return name;
};

/** Parses exposition text strictly; returns a Map family -> {type, help, samples: [{name, labels, value}]}. */
export function parseExposition(text) {
  assert.ok(text.endsWith("\n"), "the exposition does not end with a newline");
  const families = new Map();
  const seen = new Set();
  const finished = new Set();
  let current = null;
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, index) => {
    const where = `line ${index + 1} ${JSON.stringify(line)}`;
    assert.ok(line.length > 0, `${where}: empty line`);
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      assert.ok(m, `${where}: a comment that is not HELP or TYPE`);
      const [, kind, name, rest] = m;
      assert.match(name, NAME, `${where}: bad metric name`);
      if (current !== name && current !== null) finished.add(current);
      assert.ok(!finished.has(name), `${where}: family ${name} is not contiguous`);
      current = name;
      const family = families.get(name) ?? { type: undefined, help: undefined, samples: [] };
      families.set(name, family);
      if (kind === "HELP") {
        assert.equal(family.help, undefined, `${where}: second HELP`);
        assert.ok(rest.length > 0, `${where}: empty HELP`);
        family.help = rest;
      } else {
        assert.equal(family.type, undefined, `${where}: second TYPE`);
        assert.equal(family.samples.length, 0, `${where}: TYPE after samples`);
        assert.ok(TYPES.has(rest), `${where}: unknown type ${rest}`);
        family.type = rest;
      }
      return;
    }
    const brace = line.search(/[{ ]/);
    assert.ok(brace > 0, `${where}: no value`);
    const name = line.slice(0, brace);
    assert.match(name, NAME, `${where}: bad metric name`);
    let labels = {};
    let i = brace;
    if (line[i] === "{") [labels, i] = parseLabels(line, i, where);
    assert.equal(line[i], " ", `${where}: expected one space before the value`);
    const rest = line.slice(i + 1).split(" ");
    assert.ok(rest.length === 1 || rest.length === 2, `${where}: trailing text`);
    const value = parseValue(rest[0], where);
    const familyName = familyOf(name, families);
    assert.equal(familyName, current, `${where}: sample outside its family (current: ${current})`);
    const family = families.get(familyName);
    assert.ok(family.type, `${where}: sample before its TYPE`);
    const key = name + JSON.stringify(Object.entries(labels).sort());
    assert.ok(!seen.has(key), `${where}: the same sample twice`);
    seen.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const [name, family] of families) {
    assert.ok(family.type && family.help, `${name}: HELP and TYPE are both required`);
    if (family.type === "counter") assert.ok(name.endsWith("_total"), `counter ${name} does not end in _total`);
    if (family.type === "counter" || family.type === "histogram")
      for (const s of family.samples) assert.ok(s.value >= 0, `${s.name}: negative ${family.type}`);
    if (family.type === "histogram") checkHistogram(name, family);
  }
  return families;
}

function checkHistogram(name, family) {
  const series = new Map();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [], sum: undefined, count: undefined };
    series.set(key, entry);
    if (s.name === `${name}_bucket`) {
      assert.ok(le !== undefined, `${name}_bucket without le`);
      entry.buckets.push([parseValue(le, `${name} le`), s.value]);
    } else if (s.name === `${name}_sum`) entry.sum = s.value;
    else if (s.name === `${name}_count`) entry.count = s.value;
    else assert.fail(`${s.name} in histogram ${name}`);
  }
  for (const [key, { buckets, sum, count }] of series) {
    assert.ok(buckets.length > 0 && sum !== undefined && count !== undefined, `${name}${key}: bucket, _sum and _count required`);
    for (let i = 1; i < buckets.length; i++) {
      assert.ok(buckets[i][0] > buckets[i - 1][0], `${name}${key}: le not ascending`);
      assert.ok(buckets[i][1] >= buckets[i - 1][1], `${name}${key}: buckets not cumulative`);
    }
    assert.equal(buckets.at(-1)[0], Infinity, `${name}${key}: no le="+Inf" bucket`);
    assert.equal(buckets.at(-1)[1], count, `${name}${key}: +Inf bucket differs from _count`);
  }
}

/** Sum of the samples named `name` whose labels include `labels` (0 when none). */
export function metricValue(families, name, labels = {}) {
  let total = 0;
  for (const family of families.values())
    for (const s of family.samples)
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
  return total;
}

/** GET /metrics on `port`: the response, and `families` (parsed strictly) when it is a 200. */
export async function scrape(port, { path = "/metrics", headers = {} } = {}) {
  const res = await rawRequest({ port, method: "GET", path, headers });
  if (res.status === 200) {
    assert.equal(res.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8", "content type of /metrics");
    res.families = parseExposition(res.text);
  }
  return res;
}
