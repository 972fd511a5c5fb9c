/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ref_insn: the reference for `hwt replay --format addr`: libipt's
 * instruction-flow decoder driven the way ptxed drives it (sync, drain
 * events, pt_insn_next, on error report and resync at the next PSB).
 * Prints each executed instruction's address as 16 lowercase hex digits
 * and each event or error as a line starting with '['; speculative
 * (TSX) instructions are printed like the others, as ptxed does.
 *
 * usage: ref_insn PT [--cpu F/M[/S]] FILE:VADDR...
 * --cpu applies libipt's errata workarounds for that processor, as
 * ptxed's --cpu does.
 */
#include <intel-pt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return NULL;
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		return NULL;
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static const char *event_name(enum pt_event_type t)
{
	switch (t) {
	case ptev_enabled: return "enabled";
	case ptev_disabled: return "disabled";
	case ptev_async_disabled: return "disabled";
	case ptev_async_branch: return "interrupt";
	case ptev_paging: return "paging";
	case ptev_async_paging: return "paging";
	case ptev_overflow: return "overflow";
	case ptev_exec_mode: return "exec mode";
	case ptev_tsx: return "tsx";
	case ptev_stop: return "stopped";
	case ptev_vmcs: return "vmcs";
	case ptev_async_vmcs: return "vmcs";
	case ptev_exstop: return "exstop";
	case ptev_mwait: return "mwait";
	case ptev_pwre: return "pwre";
	case ptev_pwrx: return "pwrx";
	case ptev_ptwrite: return "ptwrite";
	case ptev_tick: return "tick";
	case ptev_cbr: return "cbr";
	case ptev_mnt: return "mnt";
	}
	return "event";
}

static int drain_events(struct pt_insn_decoder *d, int status)
{
	while (status & pts_event_pending) {
		struct pt_event ev;

		status = pt_insn_event(d, &ev, sizeof(ev));
		if (status < 0)
			return status;
		if (ev.type == ptev_enabled && ev.variant.enabled.resumed)
			printf("[resumed]\n");
		else
			printf("[%s]\n", event_name(ev.type));
	}
	return status;
}

int main(int argc, char **argv)
{
	struct pt_insn_decoder *d;
	struct pt_image *img;
	struct pt_config cfg;
	struct pt_insn insn;
	uint64_t off, last = ~0ull;
	size_t size;
	uint8_t *pt;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: ref_insn PT [--cpu F/M[/S]] "
			"FILE:VADDR...\n");
		return 2;
	}
	pt = slurp(argv[1], &size);
	if (!pt) {
		fprintf(stderr, "ref_insn: cannot read %s\n", argv[1]);
		return 2;
	}
	pt_config_init(&cfg);
	img = pt_image_alloc(NULL);
	for (int i = 2; i < argc; i++) {
		unsigned fam, model, step = 0;

		if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			if (sscanf(argv[++i], "%u/%u/%u", &fam, &model,
				   &step) < 2)
				return 2;
			cfg.cpu.vendor = pcv_intel;
			cfg.cpu.family = (uint16_t)fam;
			cfg.cpu.model = (uint8_t)model;
			cfg.cpu.stepping = (uint8_t)step;
			if (pt_cpu_errata(&cfg.errata, &cfg.cpu) < 0)
				return 2;
			continue;
		}
		char *colon = strrchr(argv[i], ':');

		if (!colon)
			return 2;
		*colon = 0;
		if (pt_image_add_file(img, argv[i], 0, UINT64_MAX, NULL,
				      strtoull(colon + 1, NULL, 0)) < 0) {
			fprintf(stderr, "ref_insn: cannot map %s\n", argv[i]);
			return 2;
		}
	}
	cfg.begin = pt;
	cfg.end = pt + size;
	d = pt_insn_alloc_decoder(&cfg);
	if (!d || pt_insn_set_image(d, img) < 0)
		return 2;
	for (;;) {
		status = pt_insn_sync_forward(d);
		if (status < 0) {
			if (status == -pte_eos)
				break;
			pt_insn_get_offset(d, &off);
			printf("[%" PRIx64 ": sync error: %s]\n", off,
			       pt_errstr(pt_errcode(status)));
			if (off == last)
				break;
			last = off;
			continue;
		}
		for (;;) {
			status = drain_events(d, status);
			if (status < 0)
				break;
			if (status & pts_eos) {
				printf("[end of trace]\n");
				status = -pte_eos;
				break;
			}
			memset(&insn, 0, sizeof(insn));
			status = pt_insn_next(d, &insn, sizeof(insn));
			if (status < 0) {
				if (insn.iclass != ptic_error)
					printf("%016" PRIx64 "\n", insn.ip);
				break;
			}
			printf("%016" PRIx64 "\n", insn.ip);
		}
		if (status == -pte_eos)
			break;
		pt_insn_get_offset(d, &off);
		printf("[%" PRIx64 ", %016" PRIx64 ": error: %s]\n", off,
		       insn.ip, pt_errstr(pt_errcode(status)));
	}
	pt_insn_free_decoder(d);
	pt_image_free(img);
	free(pt);
	return 0;
}
