// SPDX-License-Identifier: GPL-2.0
/* Temporary: no KV command set until kv_ftl.c's kernel glue lands. */
#include "nvmev.h"

const struct nvmev_io_cmd nvmev_kv_cmds[1];
const unsigned int nvmev_kv_nr_cmds;

int nvmev_kv_check_config(const struct nvmev_config *cfg)
{
	return 0;
}

bool nvmev_kv_idle(struct nvmev_dev *dev)
{
	return false;
}

int nvmev_kv_init(struct nvmev_dev *dev)
{
	return 0;
}

void nvmev_kv_exit(struct nvmev_dev *dev)
{
}
