/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - tracepoints of nvmev_kv, for trace-cmd / tracefs:
 *   echo 1 > /sys/kernel/tracing/events/nvmev_kv/enable
 * nvmev_kv_submit fires when the dispatcher queues an I/O command,
 * nvmev_kv_complete when a worker posts its completion.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmev_kv

#if !defined(NVMEV_TRACE_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVMEV_TRACE_EVENTS_H

#include <linux/tracepoint.h>

TRACE_EVENT(nvmev_kv_submit,
	TP_PROTO(u16 qid, u16 cid, u8 opcode, const u8 *key, u8 klen,
		 u32 bytes, u64 model_ns),
	TP_ARGS(qid, cid, opcode, key, klen, bytes, model_ns),
	TP_STRUCT__entry(
		__field(u16, qid)
		__field(u16, cid)
		__field(u8, opcode)
		__field(u8, klen)
		__array(u8, key, 16)
		__field(u32, bytes)
		__field(u64, model_ns)
	),
	TP_fast_assign(
		__entry->qid = qid;
		__entry->cid = cid;
		__entry->opcode = opcode;
		__entry->klen = min_t(u8, klen, 16);
		memcpy(__entry->key, key, 16);
		__entry->bytes = bytes;
		__entry->model_ns = model_ns;
	),
	TP_printk("qid=%u cid=%u opcode=0x%02x key=%s bytes=%u model_ns=%llu",
		  __entry->qid, __entry->cid, __entry->opcode,
		  __print_hex_str(__entry->key, __entry->klen), __entry->bytes,
		  __entry->model_ns)
);

TRACE_EVENT(nvmev_kv_complete,
	TP_PROTO(u16 qid, u16 cid, u8 opcode, const u8 *key, u8 klen,
		 u32 bytes, u16 status, u32 dw0, u64 model_ns, u64 actual_ns),
	TP_ARGS(qid, cid, opcode, key, klen, bytes, status, dw0, model_ns,
		actual_ns),
	TP_STRUCT__entry(
		__field(u16, qid)
		__field(u16, cid)
		__field(u8, opcode)
		__field(u8, klen)
		__array(u8, key, 16)
		__field(u32, bytes)
		__field(u16, status)
		__field(u32, dw0)
		__field(u64, model_ns)
		__field(u64, actual_ns)
	),
	TP_fast_assign(
		__entry->qid = qid;
		__entry->cid = cid;
		__entry->opcode = opcode;
		__entry->klen = min_t(u8, klen, 16);
		memcpy(__entry->key, key, 16);
		__entry->bytes = bytes;
		__entry->status = status;
		__entry->dw0 = dw0;
		__entry->model_ns = model_ns;
		__entry->actual_ns = actual_ns;
	),
	TP_printk("qid=%u cid=%u opcode=0x%02x key=%s bytes=%u status=0x%03x dw0=0x%x model_ns=%llu actual_ns=%llu",
		  __entry->qid, __entry->cid, __entry->opcode,
		  __print_hex_str(__entry->key, __entry->klen), __entry->bytes,
		  __entry->status, __entry->dw0, __entry->model_ns,
		  __entry->actual_ns)
);

#endif /* NVMEV_TRACE_EVENTS_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
