// SPDX-License-Identifier: GPL-2.0
/*
 * finit_module KO "PARAMS": load KO with finit_module(2), as insmod does,
 * and print "OK" or the errno it failed with ("EINVAL (22: Invalid
 * argument)"). kmod's insmod turns EINVAL into "Invalid parameters"; the VM
 * tests need the system call's own errno. Exit 0 whatever the outcome, 2 on
 * a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENOEXEC: return "ENOEXEC";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	default: return "errno";
	}
}

int main(int argc, char **argv)
{
	int fd, e;

	if (argc != 3) {
		fprintf(stderr, "usage: %s MODULE.ko \"k=v ...\"\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (syscall(SYS_finit_module, fd, argv[2], 0) == 0) {
		puts("OK");
	} else {
		e = errno;
		printf("%s (%d: %s)\n", errno_name(e), e, strerror(e));
	}
	close(fd);
	return 0;
}
