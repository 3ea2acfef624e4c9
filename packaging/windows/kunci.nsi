; Kunci installer for Windows: per user, no administrator rights.
;
; Installs into %LOCALAPPDATA%\Programs\Kunci, adds a Start-menu shortcut and an entry in
; "Installed apps" (HKCU only), and an uninstaller. No `portable` marker is installed, so the
; data lives in %APPDATA%\Kunci\data; the uninstaller leaves that folder and the Credential
; Manager entries alone (removing accounts is done in Kunci itself).
;
; Built by scripts/package-windows.ps1, which passes:
;   /DVERSION=0.1.0         the version from Cargo.toml
;   /DVERSION_QUAD=0.1.0.0  the same as four numbers (Windows version info)
;   /DEXE=path\kunci.exe    the release build
;   /DOUTFILE=path\kunci-0.1.0-windows-x86_64-setup.exe
; Paths that are not absolute are relative to this folder (makensis changes into it).

; kunci.exe is a 64-bit program: a 64-bit installer where this NSIS has the stubs for it (Debian's
; nsis does; scripts/test-windows runs it under a 64-bit-only Wine), else the usual 32-bit one.
!if /FileExists "${NSISDIR}\Stubs\lzma_solid-amd64-unicode"
  Target amd64-unicode
!else
  Unicode true
!endif
ManifestDPIAware true
SetCompressor /SOLID lzma
AllowSkipFiles off

!ifndef VERSION
  !error "pass /DVERSION=x.y.z"
!endif
!ifndef VERSION_QUAD
  !error "pass /DVERSION_QUAD=x.y.z.0"
!endif
!ifndef EXE
  !define EXE "..\..\target\release\kunci.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "kunci-${VERSION}-windows-x86_64-setup.exe"
!endif
!ifndef ICON
  !define ICON "..\..\assets\icon\kunci.ico"
!endif

!define APP "Kunci"
!define PUBLISHER "Kunci developers"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Kunci"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Kunci"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel user
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=0 "ProductName" "${APP}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}; MIT OR Apache-2.0"

!include "MUI2.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\kunci.exe"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default; the installer follows the Windows display language.
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Indonesian"

Function .onInit
  SetShellVarContext current
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Kunci" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; While Kunci is open its exe cannot be replaced: NSIS then asks (in the installer's language)
  ; to retry or abort; AllowSkipFiles off removes "Ignore", which would keep the old version.
  File "/oname=kunci.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\Kunci.lnk" "$INSTDIR\kunci.exe" "" "$INSTDIR\kunci.exe" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\kunci.exe,0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ; Size in KiB, for "Installed apps".
  SectionGetSize ${SecMain} $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\Kunci.lnk"
  Delete "$INSTDIR\kunci.exe"
  Delete "$INSTDIR\uninstall.exe"
  ; Only if empty: never delete files the user put there.
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
