# What follows is the same for every version of synapse; the tables above say what each
# command takes.

# A word as the shell will pass it, for the quoting people type: 'a b', "a b", a\ b.
_synapse_unquote() {
  case $1 in
    \'*) _synapse_word=${1#\'} && _synapse_word=${_synapse_word%\'} ;;
    \"*) _synapse_word=${1#\"} && _synapse_word=${_synapse_word%\"} ;;
    *) _synapse_word=${1//\\/} ;;
  esac
}

# The words up to the cursor as synapse reads them. Bash splits `--continue=Trip` and
# `Trip:Lyon` at `=` and `:` (COMP_WORDBREAKS) and synapse does not, so the pieces are joined
# again. Sets _synapse_words (the current word last, unquoted) and _synapse_head: the part of
# the current word readline leaves as it is, up to its last `=` or `:`, which every reply
# must therefore leave out.
_synapse_split() {
  local line rest word last='' i n=-1 glued
  if [[ -n ${COMP_LINE+set} ]]; then line=${COMP_LINE:0:COMP_POINT}; else line="${COMP_WORDS[*]:0:COMP_CWORD+1}"; fi
  _synapse_words=()
  _synapse_head=
  for ((i = 0; i <= COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]-}
    rest=${line#"${line%%[![:space:]]*}"}
    glued=0
    if ((n >= 0)) && [[ $rest == "$line" ]] && [[ $word == [=:]* || $last == *[=:] ]]; then glued=1; fi
    if ((i == COMP_CWORD)); then
      # The current word ends at the cursor.
      word=$rest
      if ((glued)); then _synapse_head=${_synapse_words[n]}; else n=$((n + 1)); fi
      if [[ -n $word && $word != *[!=:]* ]]; then
        _synapse_head+=$word
        _synapse_word=
      else
        _synapse_unquote "$word"
      fi
      _synapse_words[n]=$_synapse_head$_synapse_word
      return
    fi
    _synapse_unquote "$word"
    if ((glued)); then _synapse_words[n]+=$_synapse_word; else n=$((n + 1)) && _synapse_words[n]=$_synapse_word; fi
    last=$word
    line=${rest#"$word"}
  done
}

# A reply, without the head readline keeps.
_synapse_add() {
  COMPREPLY+=("${1:${#_synapse_head}}")
}

# Those of the words given that continue the current word.
_synapse_offer() {
  local word
  for word; do
    [[ $word == "$_synapse_cur"* ]] && _synapse_add "$word"
  done
  return 0
}

_synapse() {
  local _synapse_words _synapse_head _synapse_word _synapse_list _synapse_kind _synapse_cur
  _synapse_split
  local cmd=synapse kind='' seen=0 ended=0 i word last=$((${#_synapse_words[@]} - 1))
  # Which command the words name, and whether the word being completed is a flag's value.
  for ((i = 1; i < last; i++)); do
    word=${_synapse_words[i]}
    if [[ -n $kind ]]; then kind= && continue; fi
    if ((ended)); then seen=$((seen + 1)) && continue; fi
    case $word in
      --) ended=1 && continue ;;
      -?*)
        if [[ $word != *=* ]]; then _synapse_value "$cmd" "$word" && kind=$_synapse_kind; fi
        continue
        ;;
    esac
    if ((seen == 0)); then
      _synapse_commands "$cmd"
      if [[ " ${_synapse_list[*]} " == *" $word "* ]]; then cmd+=" $word" && continue; fi
    fi
    seen=$((seen + 1))
  done

  _synapse_cur=${_synapse_words[last]}
  local cur=$_synapse_cur before=
  COMPREPLY=()
  if [[ -n $kind ]]; then
    :
  elif ((!ended)) && [[ $cur == --*=* ]]; then
    before=${cur%%=*}=
    _synapse_value "$cmd" "${cur%%=*}"
    kind=$_synapse_kind
    if [[ -z $kind ]]; then _synapse_inline "$cmd" "${cur%%=*}" && kind=$_synapse_kind; fi
  elif ((!ended)) && [[ $cur == -* ]]; then
    _synapse_flags "$cmd"
    _synapse_offer "${_synapse_list[@]}"
    return 0
  else
    if ((seen == 0 && !ended)); then
      _synapse_commands "$cmd"
      if ((${#_synapse_list[@]})); then _synapse_offer "${_synapse_list[@]}" && return 0; fi
    fi
    _synapse_positional "$cmd" "$seen"
    kind=$_synapse_kind
  fi

  local line
  case $kind in
    sessions | providers)
      # A title may hold spaces: readline quotes what it inserts (`Trip\ planning`, or closes
      # the quote the word was begun with) only for file names.
      [[ $kind == sessions ]] && compopt -o filenames 2>/dev/null
      # synapse has chosen what fits (ids in any case): each line is a word, a tab, a description.
      while IFS= read -r line; do
        _synapse_add "$before${line%%$'\t'*}"
      done < <(command synapse __complete "$kind" -- "${cur:${#before}}" 2>/dev/null)
      ;;
    files) compopt -o default 2>/dev/null ;;
    words\ *)
      for word in ${kind#words }; do _synapse_offer "$before$word"; done
      ;;
  esac
  return 0
}

complete -F _synapse synapse
