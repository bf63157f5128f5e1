# SPDX-License-Identifier: GPL-2.0
# bash completion for wgphys(8): its commands, their options, and for exec
# the command to run (completed as that command would be).
# shellcheck shell=bash disable=SC2207

_wgphys() {
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		# Without the bash-completion package: the plain variables.
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword - 1]-}
	fi

	local commands="up down exec status check"
	local global="-c --config -h --help -V --version"

	# The command is the first word that is neither an option before it
	# nor the FILE of -c; options after it belong to it.
	local i cmd='' cmd_at=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --config) ((i++)) ;;
		-*) ;;
		*)
			cmd=${words[i]} cmd_at=$i
			break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-c | --config)
			COMPREPLY=($(compgen -f -- "$cur"))
			compopt -o filenames 2>/dev/null
			return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	up) COMPREPLY=($(compgen -W "--dry-run --foreground --help" -- "$cur")) ;;
	status) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	down | check) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
	exec)
		# exec [-u USER] [--] COMMAND [ARG...]: once COMMAND is there,
		# complete as for COMMAND itself.
		local j=$((cmd_at + 1))
		while ((j < cword)); do
			case ${words[j]} in
			-u) ((j += 2)) ;;
			--)
				((j++))
				break ;;
			-*) ((j++)) ;;
			*) break ;;
			esac
		done
		if ((j < cword)); then
			if declare -F _command_offset >/dev/null; then
				_command_offset "$j"
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return
		fi
		if [[ $prev == -u ]]; then
			COMPREPLY=($(compgen -u -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-u -- --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -c -- "$cur"))
		fi ;;
	esac
}
complete -F _wgphys wgphys
