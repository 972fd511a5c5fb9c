/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt flamegraph --svg`: the folded stacks (flame.c) drawn as a
 * self-contained interactive SVG flame graph, as flamegraph.pl draws
 * them: the root at the bottom, each frame as wide as the instructions
 * run in it and in its callees, callees stacked above their callers,
 * siblings in name order.  A tooltip (<title>) gives each frame's name,
 * instructions and share; the embedded script zooms into a frame on
 * click, searches by regular expression (Ctrl-F or the Search button:
 * matches highlighted, their share shown) and resets.  Frames narrower
 * than 0.1 pixel are not drawn (their instructions stay in their
 * caller's width).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/flame.h"
#include "hwt/decode.h"

#define SVG_WIDTH	1200
#define FRAME_H		16
#define PAD_TOP		40
#define PAD_BOTTOM	30
#define MAX_DEPTH	1024

struct fnode {
	char *name;
	uint64_t total;		/* its instructions and its callees' */
	struct fnode **kids;
	size_t nkids, cap;
};

static struct fnode *node_new(const char *name, size_t len)
{
	struct fnode *n = hwt_xrealloc(NULL, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->name = hwt_xrealloc(NULL, len + 1);
	memcpy(n->name, name, len);
	n->name[len] = 0;
	return n;
}

/* The child of p named name[0..len), made if there is none. */
static struct fnode *child(struct fnode *p, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < p->nkids; i++)
		if (strlen(p->kids[i]->name) == len &&
		    !memcmp(p->kids[i]->name, name, len))
			return p->kids[i];
	if (p->nkids == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4;
		p->kids = hwt_xrealloc(p->kids, p->cap * sizeof(*p->kids));
	}
	p->kids[p->nkids] = node_new(name, len);
	return p->kids[p->nkids++];
}

static void node_free(struct fnode *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n);
}

/* qsort order of siblings: by name.
 * Returns <0, 0 or >0 as x's name sorts before, with or after y's. */
static int cmp_kid(const void *x, const void *y)
{
	return strcmp((*(struct fnode *const *)x)->name,
		      (*(struct fnode *const *)y)->name);
}

/* Depth of the deepest frame under n (n itself: 1). */
static int height(struct fnode *n, int depth)
{
	int h = 1, k;
	size_t i;

	if (depth >= MAX_DEPTH)
		return 1;
	qsort(n->kids, n->nkids, sizeof(*n->kids), cmp_kid);
	for (i = 0; i < n->nkids; i++) {
		k = 1 + height(n->kids[i], depth + 1);
		h = k > h ? k : h;
	}
	return h;
}

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "&#%u;", c);
		else
			fputc(c, out);
	}
}

/* The name as much as fits in w pixels of 12px monospace (about 7 px a
 * character), cut with "..", or nothing under 3 characters: the script
 * fits it again on zoom, and a viewer without scripts shows this. */
static void fit_text(FILE *out, const char *name, double w)
{
	size_t fits = w > 6 ? (size_t)((w - 6) / 7) : 0, len = strlen(name);
	char *cut;

	if (fits < 3)
		return;
	if (len <= fits) {
		xml_text(out, name);
		return;
	}
	cut = hwt_xstrdup(name);
	memcpy(cut + fits - 2, "..", 3);
	xml_text(out, cut);
	free(cut);
}

/* A warm colour from the name, as flamegraph.pl's "hot" palette. */
static void colour(const char *name, unsigned *r, unsigned *g, unsigned *b)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	*r = 205 + h % 50;
	*g = (h >> 8) % 230;
	*b = (h >> 16) % 55;
}

struct svg {
	FILE *out;
	uint64_t total;
	double scale;		/* pixels per instruction */
	int height;		/* frames, deepest stack */
	uint64_t drawn;
	const char *unit;	/* what widths count: instructions, time */
};

static void draw(struct svg *s, const struct fnode *n, uint64_t x, int depth)
{
	double px = 10 + (double)x * s->scale, w = (double)n->total * s->scale;
	int y = PAD_TOP + (s->height - 1 - depth) * FRAME_H;
	unsigned r, g, b;
	size_t i;

	if (w < 0.1 || depth >= MAX_DEPTH)
		return;
	colour(n->name, &r, &g, &b);
	fprintf(s->out, "<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%"
		PRIu64 "\"><title>", x, n->total);
	xml_text(s->out, n->name);
	fprintf(s->out, " (%" PRIu64 " %s, %.2f%%)</title>"
		"<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\""
		" fill=\"rgb(%u,%u,%u)\" rx=\"2\"/><text x=\"%.2f\" y=\"%d\">",
		n->total, s->unit, 100.0 * (double)n->total /
		(double)s->total, px, y,
		w, FRAME_H - 1, r, g, b, px + 3, y + FRAME_H - 4);
	fit_text(s->out, n->name, w);
	fputs("</text></g>\n", s->out);
	s->drawn++;
	for (i = 0; i < n->nkids; i++) {
		draw(s, n->kids[i], x, depth + 1);
		x += n->kids[i]->total;
	}
}

/* Zoom, search and reset; text fitted to its frame (names cut with ..). */
static const char script[] =
"var W=" "1180" ",fr=[],tot=0,zx=0,zw=0,q=null;\n"
"function fit(g){var r=g.querySelector('rect'),t=g.querySelector('text'),"
"n=g.querySelector('title').textContent.replace(/ \\(\\d+ [^,]*, [\\d.]+%\\)$/,''),"
"w=+r.getAttribute('width'),c=Math.floor((w-6)/7);"
"t.textContent=c<3?'':(n.length<=c?n:n.slice(0,c-2)+'..');}\n"
"function lay(x0,w0){var s=W/w0;fr.forEach(function(g){var x=+g.dataset.x,"
"w=+g.dataset.w,r=g.querySelector('rect'),t=g.querySelector('text');"
"if(x+w<=x0||x>=x0+w0){g.style.display='none';return;}"
"g.style.display='';var a=Math.max(x,x0),b=Math.min(x+w,x0+w0);"
"r.setAttribute('x',10+(a-x0)*s);r.setAttribute('width',(b-a)*s);"
"t.setAttribute('x',13+(a-x0)*s);fit(g);});}\n"
"function zoom(g){var x=+g.dataset.x,w=+g.dataset.w;zx=x;zw=w;lay(x,w);"
"document.getElementById('reset').style.opacity=1;}\n"
"function reset(){zx=0;zw=tot;lay(0,tot);"
"document.getElementById('reset').style.opacity=0.3;}\n"
"function search(){var p=prompt('Search (regular expression)',q||'');"
"if(p===null)return;q=p;var re=new RegExp(p),m=0,seen=[];"
"fr.forEach(function(g){var n=g.querySelector('title').textContent"
".replace(/ \\(\\d+ [^,]*, [\\d.]+%\\)$/,''),r=g.querySelector('rect');"
"if(p&&re.test(n)){r.setAttribute('fill','rgb(230,0,230)');"
"var x=+g.dataset.x,w=+g.dataset.w,i;for(i=0;i<seen.length;i++)"
"if(x>=seen[i][0]&&x<seen[i][0]+seen[i][1])break;"
"if(i==seen.length){seen.push([x,w]);m+=w;}}"
"else r.setAttribute('fill',r.dataset.c);});"
"document.getElementById('matched').textContent=p?'Matched: '+"
"(100*m/tot).toFixed(2)+'%':'';}\n"
"window.addEventListener('load',function(){fr=[].slice.call("
"document.querySelectorAll('g.f'));fr.forEach(function(g){var r="
"g.querySelector('rect');r.dataset.c=r.getAttribute('fill');"
"g.addEventListener('click',function(){zoom(g);});"
"tot=Math.max(tot,+g.dataset.w);});zw=tot;lay(0,tot);});\n"
"window.addEventListener('keydown',function(e){if((e.ctrlKey||e.metaKey)"
"&&e.key=='f'){e.preventDefault();search();}});\n";

int hwt_flame_svg(const char *path, const struct hwt_flame_opts *opts,
		  const char *title, FILE *out)
{
	struct hwt_flame_line *lines;
	struct fnode *root;
	struct svg s = { .out = out, .unit = opts->weight_time ?
			 "time units" : "instructions" };
	size_t n, i;
	int rc = 0, h;

	if (hwt_flame_lines(path, opts, &lines, &n))
		return -1;
	root = node_new("all", 3);
	for (i = 0; i < n; i++) {
		const char *p = lines[i].stack;
		struct fnode *at = root;
		int depth = 0;

		root->total += lines[i].count;
		while (*p && depth++ < MAX_DEPTH) {
			size_t len = strcspn(p, ";");

			at = child(at, p, len);
			at->total += lines[i].count;
			p += len;
			if (*p == ';')
				p++;
		}
	}
	hwt_flame_lines_free(lines, n);
	h = height(root, 0);
	s.total = root->total ? root->total : 1;
	s.scale = (double)(SVG_WIDTH - 20) / (double)s.total;
	s.height = h;
	fprintf(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0"
		" %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<style>text{font:12px monospace;fill:#000;pointer-events:"
		"none}g.f:hover rect{stroke:#000;stroke-width:0.5}"
		"#reset,#search{cursor:pointer}</style>\n<script><![CDATA[\n%s"
		"]]></script>\n<rect width=\"100%%\" height=\"100%%\""
		" fill=\"#f8f8f0\"/>\n<text x=\"%d\" y=\"22\""
		" text-anchor=\"middle\" style=\"font-size:16px\">",
		SVG_WIDTH, PAD_TOP + h * FRAME_H + PAD_BOTTOM, SVG_WIDTH,
		PAD_TOP + h * FRAME_H + PAD_BOTTOM, script, SVG_WIDTH / 2);
	xml_text(out, title ? title : "Flame graph");
	fprintf(out, "</text>\n<text id=\"reset\" x=\"10\" y=\"22\""
		" style=\"opacity:0.3\" onclick=\"reset()\">Reset zoom</text>\n"
		"<text id=\"search\" x=\"%d\" y=\"22\" text-anchor=\"end\""
		" onclick=\"search()\">Search</text>\n<text id=\"matched\""
		" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n"
		"<text x=\"10\" y=\"%d\">%" PRIu64 " %s"
		" (width: %s in a function and its callees)"
		"</text>\n", SVG_WIDTH - 10, SVG_WIDTH - 10,
		PAD_TOP + h * FRAME_H + 20, PAD_TOP + h * FRAME_H + 20,
		root->total, s.unit, opts->weight_time ? "time spent" :
		"instructions run");
	draw(&s, root, 0, 0);
	fputs("</svg>\n", out);
	if (fflush(out)) {
		fprintf(stderr, "hwt flamegraph: write failed\n");
		rc = -1;
	}
	node_free(root);
	return rc;
}
