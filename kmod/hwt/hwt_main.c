// SPDX-License-Identifier: GPL-2.0
/*
 * hwt: hardware trace framework.  /dev/hwt creates trace contexts; see
 * include/hwt/hwt.h for the ABI and hwt_internal.h for the locking rules.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "hwt_internal.h"

struct workqueue_struct *hwt_wq;

static long hwt_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct hwt_alloc req;

	if (cmd != HWT_IOC_ALLOC)
		return -ENOTTY;
	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	return hwt_context_alloc(&req);
}

static const struct file_operations hwt_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hwt_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hwt_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hwt",
	.fops = &hwt_dev_fops,
	.mode = 0666,	/* access is checked per request (ptrace rules) */
};

static int __init hwt_init(void)
{
	int ret;

	hwt_wq = alloc_workqueue("hwt", 0, 0);
	if (!hwt_wq)
		return -ENOMEM;
	ret = hwt_security_init();
	if (ret)
		goto fail_wq;
	ret = hwt_thread_init();
	if (ret)
		goto fail_wq;
	ret = hwt_hook_init();
	if (ret)
		goto fail_thread;
	ret = misc_register(&hwt_miscdev);
	if (ret)
		goto fail_hook;
	pr_info("hwt: framework loaded, ABI %d\n", HWT_ABI_VERSION);
	return 0;

fail_hook:
	hwt_hook_exit();
fail_thread:
	hwt_thread_exit();
fail_wq:
	destroy_workqueue(hwt_wq);
	return ret;
}

static void __exit hwt_exit(void)
{
	misc_deregister(&hwt_miscdev);
	hwt_hook_exit();
	/* Waits for the last context free to finish running. */
	destroy_workqueue(hwt_wq);
	hwt_thread_exit();
	pr_info("hwt: framework unloaded\n");
}

module_init(hwt_init);
module_exit(hwt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt hardware trace framework");
