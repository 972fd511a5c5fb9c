/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hwtd's registry of sessions in progress (one file per session in the
 * state directory, root's) and the recovery a restarted hwtd runs on
 * them: fsck and state "interrupted", AS THE SESSION'S OWNER, in a child,
 * and only on the very directory hwtd created (its owner, device and
 * inode were registered when it was made).
 */
#ifndef HWTD_RECOVER_H
#define HWTD_RECOVER_H

#include <limits.h>
#include <sys/types.h>

struct hwtd_reg {
	int id;
	uid_t uid;		/* the session's owner */
	gid_t gid;
	dev_t dev;		/* the session directory hwtd made */
	ino_t ino;
	char path[PATH_MAX];
};

/*
 * List a session in state_dir (session-ID, written and fsynced).
 * Returns 0, or -1 with a message in err.
 */
int hwtd_registry_add(const char *state_dir, const struct hwtd_reg *e,
		      char *err, size_t errlen);

/* The session is finished: unlist it. */
void hwtd_registry_del(const char *state_dir, int id);

/*
 * Recover every session listed in state_dir and unlist it.  For each, a
 * child becomes the owner, opens the directory with O_NOFOLLOW and checks
 * it is the one registered (owner, device, inode), runs the store's fsck
 * in it and marks it "interrupted"; it gets timeout_ms.  An entry that is
 * malformed, or whose directory is not what hwtd made, is not touched.
 * Every outcome is logged (log.h).
 */
void hwtd_recover(const char *state_dir, int timeout_ms);

#endif /* HWTD_RECOVER_H */
