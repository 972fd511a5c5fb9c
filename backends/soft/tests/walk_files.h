/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The file walk the instruction cross-checks share: each argument is a
 * file or a directory whose regular files are taken in name order (so that
 * a budget picks the same files every run), one level deep, symbolic
 * links skipped (a library and its links would count twice).
 */
#ifndef WALK_FILES_H
#define WALK_FILES_H

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int walk_files_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Calls check(file) for path, or for each regular file in it while
 * more() says there is budget left.
 */
static void walk_files(const char *path, void (*check)(const char *),
		       int (*more)(void))
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, **grown;
	size_t n = 0, i;
	DIR *dir;

	if (stat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		check(path);
		return;
	}
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char buf[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "%s/%s", path, de->d_name);
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = strdup(buf);
		if (names[n])
			n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), walk_files_cmp);
	for (i = 0; i < n; i++) {
		if (!lstat(names[i], &st) && S_ISREG(st.st_mode) && more())
			check(names[i]);
		free(names[i]);
	}
	free(names);
}

/*
 * Calls text(path, code, size, addr) for each executable PROGBITS section
 * of path if it is an ELF file for machine (EM_*).  Returns 1 if it was,
 * 0 if not.  The caller has called elf_version().
 */
static inline int walk_elf_text(const char *path, int machine,
				void (*text)(const char *, const uint8_t *,
					     size_t, uint64_t))
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	int fd, ret = 0;
	Elf *e;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    eh.e_machine != machine)
		goto out;
	ret = 1;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			text(path, data->d_buf, data->d_size, sh.sh_addr);
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

#endif /* WALK_FILES_H */
