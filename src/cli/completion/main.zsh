# What follows is the same for every version of synapse; the tables above say what each
# command takes.

_synapse() {
  local cmd=synapse kind= word line REPLY
  local -i seen=0 ended=0 i
  local -a reply found
  # Which command the words name, and whether the word being completed is a flag's value.
  for ((i = 2; i < CURRENT; i++)); do
    word=${(Q)words[i]}
    if [[ -n $kind ]]; then kind= && continue; fi
    if ((ended)); then seen+=1 && continue; fi
    case $word in
      (--) ended=1 && continue ;;
      (-?*)
        if [[ $word != *=* ]]; then _synapse_value $cmd $word && kind=$REPLY; fi
        continue
        ;;
    esac
    if ((seen == 0)); then
      _synapse_commands $cmd
      if [[ -n ${reply[(r)${(b)word}:*]} ]]; then cmd+=" $word" && continue; fi
    fi
    seen+=1
  done

  if [[ -n $kind ]]; then
    :
  elif ((!ended)) && [[ $PREFIX == --*=* ]]; then
    local flag=${PREFIX%%=*}
    _synapse_value $cmd $flag
    kind=$REPLY
    if [[ -z $kind ]]; then _synapse_inline $cmd $flag && kind=$REPLY; fi
    # The value is the word to complete; the flag and its `=` stay as they are.
    compset -P "${(b)flag}="
  elif ((!ended)) && [[ $PREFIX == -* ]]; then
    _synapse_flags $cmd
    _describe -t options option reply
    return
  else
    if ((seen == 0 && !ended)); then
      _synapse_commands $cmd
      if (($#reply)); then _describe -t commands command reply && return; fi
    fi
    _synapse_positional $cmd $seen
    kind=$REPLY
  fi

  case $kind in
    (sessions|providers)
      # synapse has chosen what fits (ids in any case): each line is a word, a tab, a
      # description. zsh quotes what it inserts, so a title with spaces stays one word.
      for line in ${(f)"$(command synapse __complete $kind -- ${(Q)PREFIX} 2>/dev/null)"}; do
        found+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
      done
      _describe -t $kind ${kind%s} found
      ;;
    (files) _files ;;
    (words\ *)
      reply=(${=kind#words })
      _describe -t values value reply
      ;;
  esac
}

# Loaded from fpath (a file named _synapse) the first call runs it; sourced, it is registered.
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _synapse "$@"
else
  compdef _synapse synapse
fi
