// SPDX-License-Identifier: BSD-2-Clause
/* Registry of sessions in progress, recovery as the owner.  See recover.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "asuser.h"
#include "hwt_err.h"
#include "log.h"
#include "recover.h"
#include "store.h"

#define REG_MAGIC	"hwtd-session 2"

static void reg_path(const char *state_dir, int id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/session-%d", state_dir, id);
}

int hwtd_registry_add(const char *state_dir, const struct hwtd_reg *e,
		      char *err, size_t errlen)
{
	char p[PATH_MAX];
	FILE *f;
	int fd, bad;

	reg_path(state_dir, e->id, p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return hwt_errf(err, errlen, "%s: %s", p, strerror(errno));
	}
	fprintf(f, "%s\n%u %u %llu %llu\n%s\n", REG_MAGIC, (unsigned)e->uid,
		(unsigned)e->gid, (unsigned long long)e->dev,
		(unsigned long long)e->ino, e->path);
	bad = fflush(f) || fsync(fileno(f));
	if (fclose(f) || bad)
		return hwt_errf(err, errlen, "%s: %s", p, strerror(errno));
	return 0;
}

void hwtd_registry_del(const char *state_dir, int id)
{
	char p[PATH_MAX];

	reg_path(state_dir, id, p, sizeof(p));
	unlink(p);
}

/* Parse a registry file; 0, or -1 if it is not one this hwtd wrote. */
static int reg_read(int dfd, const char *name, struct hwtd_reg *e)
{
	char line[64];
	unsigned u, g;
	unsigned long long dev, ino;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ok;
	struct stat sb;
	FILE *f;
	size_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    !(f = fdopen(fd, "r"))) {
		close(fd);
		return -1;
	}
	ok = fgets(line, sizeof(line), f) && !strcmp(line, REG_MAGIC "\n") &&
	     fgets(line, sizeof(line), f) &&
	     sscanf(line, "%u %u %llu %llu", &u, &g, &dev, &ino) == 4 &&
	     fgets(e->path, sizeof(e->path), f) && e->path[0] == '/';
	fclose(f);
	if (!ok)
		return -1;
	n = strcspn(e->path, "\n");
	if (e->path[n] != '\n')
		return -1;
	e->path[n] = 0;
	e->uid = u;
	e->gid = g;
	e->dev = (dev_t)dev;
	e->ino = (ino_t)ino;
	return 0;
}

/* In the child, as the owner. */
static int recover_one(void *arg, char *msg, size_t msglen)
{
	const struct hwtd_reg *e = arg;
	char err[512];
	uint64_t cut = 0;
	struct stat sb;
	int fd;

	fd = open(e->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hwt_errf(msg, msglen, "not touched: %s",
				 strerror(errno)), 2;
	if (fstat(fd, &sb) || sb.st_uid != e->uid || sb.st_dev != e->dev ||
	    sb.st_ino != e->ino)
		return hwt_errf(msg, msglen, "not touched: not the directory"
				 " hwtd made for uid %u", (unsigned)e->uid), 2;
	if (fchdir(fd))
		return hwt_errf(msg, msglen, "not touched: %s",
				 strerror(errno)), 2;
	if (hwt_store_fsck(".", &cut, err, sizeof(err))) {
		hwt_store_set_state(".", "recording", "interrupted");
		return hwt_errf(msg, msglen, "fsck: %s", err), 1;
	}
	hwt_store_set_state(".", "recording", "interrupted");
	snprintf(msg, msglen, "%llu bytes of un-indexed tail cut",
		 (unsigned long long)cut);
	return 0;
}

void hwtd_recover(const char *state_dir, int timeout_ms)
{
	struct dirent *de;
	struct hwtd_reg e;
	char msg[768];
	DIR *d = opendir(state_dir);
	int rc;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "session-", 8))
			continue;
		memset(&e, 0, sizeof(e));
		if (reg_read(dirfd(d), de->d_name, &e)) {
			hwtd_log(LOG_WARNING, "recover %s/%s: not an entry this"
				 " hwtd wrote: the session is not touched (its"
				 " owner may run hwt fsck)", state_dir,
				 de->d_name);
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		rc = hwtd_run_as(e.uid, e.gid, recover_one, &e, timeout_ms,
				 msg, sizeof(msg));
		if (rc == 0)
			hwtd_log(LOG_NOTICE, "recovered %s as uid %u (%s)",
				 e.path, (unsigned)e.uid, msg);
		else
			hwtd_log(LOG_WARNING, "recover %s as uid %u: %s",
				 e.path, (unsigned)e.uid, msg);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}
