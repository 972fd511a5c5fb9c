# Sourced by the e2e tests that record tests/e2e/ptcpu's programs in a
# VM and compare each task with its ptrace ground truth (tests/e2e/
# ptcpu/gt.c in the guest: gt/tasks.txt "K PID TID N", one
# gt/task-K.txt of instruction addresses per task K): cs_cpu.sh,
# cs_thread.sh, pt_cpu.sh.  The caller sets root, t (the results'
# prefix), w (its work directory) and hwt, and defines result().

# tests/e2e/ptcpu's program NAME.c and the ground-truth tracer gt.c,
# built static with $1 (gcc, aarch64-linux-gnu-gcc) into $w/NAME and
# $w/gt, warnings as errors, the program without sibling calls (each
# call a call).  $1 the compiler, $2 NAME.
# Returns 1 after a FAIL line if either does not build.
task_build() {
	cflags="-O2 -g -static -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow"
	# shellcheck disable=SC2086
	if ! "$1" $cflags -fno-optimize-sibling-calls -o "$w/$2" \
		"$root/tests/e2e/ptcpu/$2.c" ||
		! "$1" $cflags -o "$w/gt" "$root/tests/e2e/ptcpu/gt.c"; then
		result "FAIL: $t/build"
		return 1
	fi
}

# The program's symbol SYM as a replay --format addr line (16 digits).
# $1 nm (nm or aarch64-linux-gnu-nm), $2 the program, $3 SYM.
task_addr() {
	"$1" "$2" | awk -v s="$3" '$3 == s { printf "%016s\n", $1 }' |
		tr ' ' 0
}

# The ground-truth file of task KIND (main: task 0, the first line;
# proc: the first task of another pid; thread: the first other thread
# of task 0's pid: which K the two children got is a race).
# $1 the session, $2 KIND.
task_gt() {
	k=$(awk -v w="$2" 'NR == 1 { p = $2; if (w == "main") { print 0
		exit } next } (w == "proc" && $2 != p) || (w == "thread" &&
		$2 == p && $3 != p) { print $1; exit }' "$1/gt/tasks.txt")
	echo "$1/gt/task-$k.txt"
}

# hwt replay of TID from DB, and the ground truth G, both cut the same:
# CUT "from SYM-ADDR" keeps from that line on (main: its start-up before
# reads the randomized stack), "to SYM-ADDR" up to it (a thread: after
# it, it races main's exit_group), "" keeps all; into $w/NAME.gt and
# $w/NAME.hwt.  $1 NAME, $2 TID, $3 G, $4 DB, $5 CUT.
task_replay() {
	"$hwt" replay "$4" --thread "$2" --format addr \
		>"$w/$1.all" 2>"$w/$1.err"
	case $5 in
	from\ *) sed -n "/^${5#from }\$/,\$p" "$3" >"$w/$1.gt"
		 sed -n "/^${5#from }\$/,\$p" "$w/$1.all" >"$w/$1.hwt" ;;
	to\ *) sed "/^${5#to }\$/q" "$3" >"$w/$1.gt"
	       sed "/^${5#to }\$/q" "$w/$1.all" >"$w/$1.hwt" ;;
	*) cp "$3" "$w/$1.gt"; cp "$w/$1.all" "$w/$1.hwt" ;;
	esac
}

# PASS if task_replay's two cuts are equal and over 100 instructions.
# $1 NAME, $2 TID.
task_equal() {
	n=$(wc -l <"$w/$1.gt")
	if [ "$n" -gt 100 ] && cmp -s "$w/$1.gt" "$w/$1.hwt"; then
		result "PASS: $t/$1-replay-is-ptrace ($n instructions, tid $2)"
	else
		d=$(cmp "$w/$1.gt" "$w/$1.hwt" 2>&1 | head -n 1)
		result "FAIL: $t/$1-replay-is-ptrace (ptrace $n, hwt $(wc -l <"$w/$1.hwt") instructions; $d)"
	fi
}

# PASS if TID's call counts (symbol_stats) of fib, op_add, op_mul,
# op_xor, op_neg and jump_table are the times their first instruction
# ran in the ground truth G.  $1 NAME, $2 TID, $3 G, $4 DB, $5 nm, $6
# the program.
task_calls() {
	want="" got=""
	for f in fib op_add op_mul op_xor op_neg jump_table; do
		a=$(task_addr "$5" "$6" "$f")
		want="$want $f=$(grep -c "^$a\$" "$3")"
		c=$("$hwt" query --csv "$4" "SELECT ss.calls FROM
			symbol_stats ss JOIN threads th ON th.id = ss.thread_id
			JOIN symbols sy ON sy.id = ss.symbol_id WHERE
			th.tid = $2 AND sy.name = '$f'" | tail -n +2)
		got="$got $f=${c:-0}"
	done
	[ "$got" = "$want" ] &&
		result "PASS: $t/$1-calls-exact ($want )" ||
		result "FAIL: $t/$1-calls-exact (got$got, want$want)"
}

# Task NAME (main, proc, thread: task_gt) found, its replay cut (CUT:
# task_replay), then unless ONLY_CUT is "cut": task_equal and
# task_calls.  Sets g (its ground truth).
# $1 NAME, $2 TID, $3 CUT, $4 the session, $5 DB, $6 nm, $7 the
# program, $8 ONLY_CUT.
# Returns 1 if the task or its ground truth is missing (a FAIL line).
task_check() {
	g=$(task_gt "$4" "$1")
	if [ -z "$2" ] || [ ! -s "$g" ]; then
		result "FAIL: $t/$1-found (tid '$2', ground truth $g)"
		return 1
	fi
	task_replay "$1" "$2" "$g" "$5" "$3"
	[ "${8:-}" = cut ] && return 0
	task_equal "$1" "$2"
	task_calls "$1" "$2" "$g" "$5" "$6" "$7"
}
