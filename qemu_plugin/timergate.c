/*
 * timergate: a qemu-user TCG plugin that follows the guest's profiling
 * timers and keeps, in a file the runner's cannon reads before each signal,
 * which threads the kernel would send SIGPROF to now. Contract, layout and
 * the close-then-wait protocol: timergate_file.h.
 *
 *   qemu-mipsel -plugin build/native/timergate.so,out=FILE ./program
 *
 * What it watches, at the guest's system calls (qemu calls the plugin on
 * the guest thread before and after each one):
 *   setitimer(ITIMER_PROF, new, old)       the process's profiling timer
 *   timer_create(clock, sevp, &id)          a timer whose signal is SIGPROF:
 *                                           SIGEV_SIGNAL (the process) or
 *                                           SIGEV_THREAD_ID (one thread)
 *   timer_settime[64](id, flags, new, old)  arms or disarms a timer above
 *   timer_delete(id)                        disarms it for good
 * The arguments are guest pointers; under qemu-user guest memory is host
 * memory at guest address + guest_base, which the plugin learns from the
 * first translated block (qemu_plugin_insn_haddr - qemu_plugin_insn_vaddr)
 * and reads with the guest's word size and byte order. The system call
 * numbers, layouts and SIGPROF's number are per target (the table below,
 * checked against each cross toolchain's headers by
 * tests/ci/check-timergate-table).
 *
 * Cost: a call per guest system call (a compare for the ones above) and
 * one translation callback until guest_base is known; no per-block work.
 * A guest that forks: the child's qemu writes into a private copy
 * (pthread_atfork), as the runner aims only at the process it started.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <qemu-plugin.h>

#include "plugin_out.h"
#include "timergate_file.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* One qemu target's system call ABI, as far as the gate needs it. */
struct target_abi {
	const char *name;   /* qemu's target name (qemu_info_t.target_name) */
	int word;           /* sizeof(long) in the guest: 4 or 8 */
	bool big_endian;
	int sigprof;
	long nr_setitimer, nr_timer_create, nr_timer_settime, nr_timer_settime64,
		nr_timer_delete; /* -1: none */
	int usec_size;      /* sizeof(timeval.tv_usec): a long, or an int (sparc64) */
};

/* From each Debian cross toolchain's <sys/syscall.h> and <signal.h>
 * (tests/ci/check-timergate-table compares). sigevent: sigev_signo right
 * after the sigval (word bytes), then sigev_notify, then the thread id. */
static const struct target_abi targets[] = {
	{ "arm", 4, false, 27, 104, 257, 258, 409, 261, 4 },
	{ "mips", 4, true, 29, 4104, 4257, 4258, 4409, 4261, 4 },
	{ "mipsel", 4, false, 29, 4104, 4257, 4258, 4409, 4261, 4 },
	{ "ppc", 4, true, 27, 104, 240, 241, 409, 244, 4 },
	{ "m68k", 4, true, 27, 104, 254, 255, 409, 258, 4 },
	{ "hppa", 4, true, 21, 104, 250, 251, 409, 254, 4 },
	{ "i386", 4, false, 27, 104, 259, 260, 409, 263, 4 },
	{ "aarch64", 8, false, 27, 103, 107, 110, -1, 111, 8 },
	{ "riscv64", 8, false, 27, 103, 107, 110, -1, 111, 8 },
	{ "s390x", 8, true, 27, 104, 254, 255, -1, 258, 8 },
	{ "sparc64", 8, true, 27, 83, 266, 262, -1, 265, 4 },
	{ "mips64el", 8, false, 29, 5036, 5216, 5217, -1, 5220, 8 },
	{ "ppc64le", 8, false, 27, 104, 240, 241, -1, 244, 8 },
};

#define ITIMER_PROF_WHICH 2
#define NOTIFY_SIGNAL 0
#define NOTIFY_THREAD_ID 4
#define MAX_TIMERS 1024
#define MAX_VCPUS 1024

static const struct target_abi *abi;
static struct timergate_file *gate;
static struct timergate_file discard; /* a forked child's */
static uintptr_t guest_base;
static bool base_known; /* written once by a translating thread, under mu */

/* The guest's timers that send SIGPROF, by the id the guest sees. */
struct timer {
	int32_t id;
	int32_t tid;   /* SIGEV_THREAD_ID: the thread; 0: the process */
	bool used, armed;
};

/* A watched call in flight on a vCPU: the entry callback's arguments, for
 * the return callback, which gets none. */
struct call {
	int64_t num; /* -1: none */
	uint64_t a1, a2, a3;
};

/* Everything below is changed under mu: guest threads make their timer
 * calls concurrently. The cannon reads only the shared file. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct timer timers[MAX_TIMERS];
static bool itimer_armed;
static struct call calls[MAX_VCPUS];

/* fork() in a guest thread while another holds mu: the child's copy would
 * stay locked. Hold it across the fork; the child writes a private copy. */
static void before_fork(void)
{
	pthread_mutex_lock(&mu);
}

static void after_fork_in_parent(void)
{
	pthread_mutex_unlock(&mu);
}

static void after_fork_in_child(void)
{
	gate = &discard;
	pthread_mutex_unlock(&mu);
}

/* ---- guest memory ---- */

/* size bytes of guest memory at addr, as the guest's integer; 0 when the
 * address is not mapped (process_vm_readv on ourselves reports EFAULT where
 * a plain load would crash qemu: a guest may pass any pointer). */
static uint64_t read_guest(uint64_t addr, int size)
{
	if (abi->word == 4)
		addr &= 0xffffffffu; /* qemu passes a 32-bit guest's arguments sign-extended */
	unsigned char b[8] = { 0 };
	struct iovec local = { b, (size_t)size };
	struct iovec remote = { (void *)(guest_base + (uintptr_t)addr), (size_t)size };
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != size)
		return 0;
	uint64_t v = 0;
	for (int i = 0; i < size; i++)
		v |= (uint64_t)b[abi->big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

/* Whether the it_value of an itimerval (setitimer) or itimerspec
 * (timer_settime; 64-bit fields for timer_settime64) at addr is non-zero:
 * whether the call arms. */
static bool arms_timer(uint64_t addr, bool itimerval, bool time64)
{
	int sec = time64 ? 8 : abi->word;
	int sub = time64 ? 8 : itimerval ? abi->usec_size : abi->word;
	int stride = time64 ? 16 : 2 * abi->word; /* one timeval/timespec */
	uint64_t value = addr + (uint64_t)stride;
	return read_guest(value, sec) != 0 || read_guest(value + (uint64_t)sec, sub) != 0;
}

/* ---- the gate (under mu) ---- */

static void publish_process(void)
{
	uint32_t n = itimer_armed;
	for (int i = 0; i < MAX_TIMERS; i++)
		n += timers[i].used && timers[i].armed && !timers[i].tid;
	__atomic_store_n(&gate->process_armed, n, __ATOMIC_SEQ_CST);
}

static void open_thread(int32_t tid)
{
	for (unsigned i = 0; i < TIMERGATE_THREADS; i++)
		if (__atomic_load_n(&gate->armed_tid[i], __ATOMIC_RELAXED) == 0) {
			__atomic_store_n(&gate->armed_tid[i], tid, __ATOMIC_SEQ_CST);
			return;
		}
	/* More armed thread timers than slots: the cannon misses the rest. */
}

static void close_thread(int32_t tid)
{
	for (unsigned i = 0; i < TIMERGATE_THREADS; i++)
		if (__atomic_load_n(&gate->armed_tid[i], __ATOMIC_RELAXED) == tid) {
			__atomic_store_n(&gate->armed_tid[i], 0, __ATOMIC_SEQ_CST);
			return;
		}
}

/* Step 2 of a close (timergate_file.h): no signal of the cannon's is
 * between its look at the gate and its send. */
static void wait_for_cannon(void)
{
	if (!__atomic_load_n(&gate->firing, __ATOMIC_SEQ_CST))
		return;
	__atomic_add_fetch(&gate->waits, 1, __ATOMIC_RELAXED);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (__atomic_load_n(&gate->firing, __ATOMIC_SEQ_CST)) {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) * 1e-9 >
		    TIMERGATE_WAIT_S) {
			__atomic_add_fetch(&gate->wait_timeouts, 1, __ATOMIC_RELAXED);
			return;
		}
	}
}

/* The process's setitimer timer (t NULL) or timer t becomes armed or not. */
static void set_armed(struct timer *t, bool armed)
{
	bool *state = t ? &t->armed : &itimer_armed;
	if (*state == armed)
		return;
	*state = armed;
	if (t && t->tid)
		armed ? open_thread(t->tid) : close_thread(t->tid);
	else
		publish_process();
	__atomic_add_fetch(armed ? &gate->opens : &gate->closes, 1, __ATOMIC_RELAXED);
	if (!armed)
		wait_for_cannon();
}

static struct timer *find_timer(int32_t id)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].used && timers[i].id == id)
			return &timers[i];
	return NULL;
}

/* A timer_create that returned 0: the new timer, when it sends SIGPROF. */
static void created(const struct call *c)
{
	uint64_t at = c->a2 + (uint64_t)abi->word; /* past the sigval */
	uint32_t signo = (uint32_t)read_guest(at, 4);
	uint32_t notify = (uint32_t)read_guest(at + 4, 4);
	if (signo != (uint32_t)abi->sigprof || (notify != NOTIFY_SIGNAL && notify != NOTIFY_THREAD_ID))
		return;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (!timers[i].used) {
			timers[i] = (struct timer){
				.id = (int32_t)read_guest(c->a3, 4),
				.tid = notify == NOTIFY_THREAD_ID ? (int32_t)read_guest(at + 8, 4) : 0,
				.used = true,
			};
			return;
		}
}

/* ---- the guest's system calls ---- */

static bool watched(int64_t num)
{
	return num == abi->nr_setitimer || num == abi->nr_timer_create ||
	       num == abi->nr_timer_settime || num == abi->nr_timer_settime64 ||
	       num == abi->nr_timer_delete;
}

/* Before the call: a disarm closes the gate now (timergate_file.h). */
static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1,
		       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
		       uint64_t a7, uint64_t a8)
{
	(void)id, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8;
	if (!watched(num) || !__atomic_load_n(&base_known, __ATOMIC_ACQUIRE) || vcpu >= MAX_VCPUS)
		return;
	pthread_mutex_lock(&mu);
	calls[vcpu] = (struct call){ num, a1, a2, a3 };
	if (num == abi->nr_setitimer) {
		if ((uint32_t)a1 == ITIMER_PROF_WHICH && a2 && !arms_timer(a2, true, false))
			set_armed(NULL, false);
	} else if (num == abi->nr_timer_delete) {
		struct timer *t = find_timer((int32_t)a1);
		if (t) {
			set_armed(t, false);
			t->used = false;
		}
	} else if (num == abi->nr_timer_settime || num == abi->nr_timer_settime64) {
		struct timer *t = find_timer((int32_t)a1);
		if (t && a3 && !arms_timer(a3, false, num == abi->nr_timer_settime64))
			set_armed(t, false);
	}
	pthread_mutex_unlock(&mu);
}

/* After the call: an arm that succeeded opens the gate; a new timer is
 * learnt. A disarm that failed leaves the gate closed: the guest's next
 * call about that timer says again what it is. */
static void on_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, int64_t ret)
{
	(void)id;
	if (!watched(num) || vcpu >= MAX_VCPUS)
		return;
	pthread_mutex_lock(&mu);
	struct call c = calls[vcpu];
	calls[vcpu].num = -1;
	if (c.num == num && ret == 0) {
		if (num == abi->nr_setitimer) {
			if ((uint32_t)c.a1 == ITIMER_PROF_WHICH && c.a2 && arms_timer(c.a2, true, false))
				set_armed(NULL, true);
		} else if (num == abi->nr_timer_create) {
			if (c.a2 && c.a3)
				created(&c);
		} else if (num == abi->nr_timer_settime || num == abi->nr_timer_settime64) {
			struct timer *t = find_timer((int32_t)c.a1);
			if (t && c.a3 && arms_timer(c.a3, false, num == abi->nr_timer_settime64))
				set_armed(t, true);
		}
	}
	pthread_mutex_unlock(&mu);
}

/* guest_base, from the first block translated: under qemu-user the block's
 * host address is its guest address plus guest_base. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	if (__atomic_load_n(&base_known, __ATOMIC_ACQUIRE) || qemu_plugin_tb_n_insns(tb) == 0)
		return;
	struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, 0);
	pthread_mutex_lock(&mu);
	if (!base_known) {
		/* Page by page: guest_base is page-aligned, and a target may keep
		 * other bits in an instruction's address (hppa: the privilege
		 * level in the low two). */
		uintptr_t page = ~(uintptr_t)0xfff;
		guest_base = ((uintptr_t)qemu_plugin_insn_haddr(insn) & page) -
			     ((uintptr_t)qemu_plugin_insn_vaddr(insn) & page);
		__atomic_store_n(&base_known, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&mu);
}

static bool gate_header_ok(const void *file)
{
	const struct timergate_file *f = file;
	return f->magic == TIMERGATE_MAGIC && f->version == TIMERGATE_VERSION &&
	       f->size == sizeof(struct timergate_file);
}

static const struct plugin_out_kind gate_file = {
	"timergate", "timer-gate", "the gate stays closed", TIMERGATE_VERSION,
	sizeof(struct timergate_file), gate_header_ok,
};

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *out = plugin_out_arg("timergate", "timergate_file.h", argc, argv);
	if (!out)
		return -1;
	if (info->system_emulation) {
		fprintf(stderr, "timergate: qemu-user only\n");
		return -1;
	}
	gate = plugin_out_map(&gate_file, out);
	if (!gate)
		return 0;
	snprintf(gate->target, sizeof gate->target, "%s", info->target_name);
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (strcmp(targets[i].name, info->target_name) == 0)
			abi = &targets[i];
	if (!abi) {
		snprintf(gate->why, sizeof gate->why, "no system-call table for qemu target %s",
			 info->target_name);
		__atomic_store_n(&gate->status, TIMERGATE_CANNOT, __ATOMIC_RELEASE);
		return 0;
	}
	for (int i = 0; i < MAX_VCPUS; i++)
		calls[i].num = -1;
	pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
	qemu_plugin_register_vcpu_syscall_ret_cb(id, on_syscall_ret);
	__atomic_store_n(&gate->status, TIMERGATE_WATCHING, __ATOMIC_RELEASE);
	return 0;
}
